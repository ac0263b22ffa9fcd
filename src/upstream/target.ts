import { type MessageURL, parseAbsoluteURL } from '../message/url.js';
import { originOf } from '../transport/dial.js';
import { Transport, type TransportOptions } from '../transport/transport.js';

/** UpstreamTargetInit: a backend, as a URL string, a `URL`, or `{ url, weight? }` (weight default 1). */
export type UpstreamTargetInit = string | URL | { url: string | URL; weight?: number };

/** UpstreamStatus: one target's entry in `Upstreams.status()`. */
export interface UpstreamStatus {
  /** The target's URL, normalized (`http://host:port/path`). */
  url: string;
  weight: number;
  /** Whether the target can take requests now: healthy by the active checks, not ejected, not removed. */
  healthy: boolean;
  /** When a passive ejection ends (epoch ms), or null when not ejected. */
  ejectedUntil: number | null;
  /** Round trips waiting for a response head from this target. */
  outstanding: number;
  /** Attempts sent to this target since it was added. */
  requests: number;
  /** Failed attempts since it was added (dial errors, resets, timeouts; 5xx with `failOn5xx`). */
  failures: number;
  /** Moving average of the time to the response head, in ms (weight 0.2 to the newest); 0 before the first. */
  latencyEwmaMs: number;
}

/**
 * Target: one backend of an Upstreams and its live state: its own pool,
 * counters, health flags. Owned and mutated by Upstreams and its helpers.
 */
export class Target {
  readonly url: MessageURL;
  /** `scheme://host:port/path?query`, the identity used for duplicates and `remove`. */
  readonly key: string;
  readonly weight: number;
  readonly transport: Transport;
  /** Active health (true until `fall` failed checks); passive ejection is apart. */
  healthy = true;
  ejectedUntil = 0;
  /** Set by `remove`: no new requests. */
  draining = false;
  /** Slow start: weight ramps from 10% to full between these two times (epoch ms). */
  easeFrom = 0;
  easeUntil = 0;
  outstanding = 0;
  requests = 0;
  failures = 0;
  /** Consecutive failures, for passive ejection; reset by a success. */
  streak = 0;
  latencyEwmaMs = 0;
  /** Smooth weighted round-robin's running weight. */
  current = 0;
  /** Ends a passive ejection; unref'd. */
  ejectTimer: NodeJS.Timeout | null = null;
  /** Called when a draining target's last round trip settles. */
  onDrained: (() => void) | null = null;

  constructor(url: MessageURL, key: string, weight: number, pool: TransportOptions) {
    this.url = url;
    this.key = key;
    this.weight = weight;
    this.transport = new Transport(pool);
  }

  /** available reports whether a new request may go to this target at `now`. */
  available(now: number): boolean {
    return this.healthy && !this.draining && this.ejectedUntil <= now;
  }

  /** easeIn starts slow start at `now` for `ms` milliseconds (0: full weight at once). */
  easeIn(now: number, ms: number): void {
    this.easeFrom = now;
    this.easeUntil = now + ms;
  }

  /**
   * effectiveWeight is the weight eased in after a return: a tenth of it at
   * the return, growing linearly to all of it at `easeUntil`.
   */
  effectiveWeight(now: number): number {
    if (now >= this.easeUntil) return this.weight;
    const span = this.easeUntil - this.easeFrom;
    const share = 0.1 + (0.9 * (now - this.easeFrom)) / span;
    return this.weight * share;
  }

  /** load is the weighted load: round trips waiting on this target, plus the next one, per unit of weight. */
  load(now: number): number {
    return (this.outstanding + 1) / this.effectiveWeight(now);
  }

  /** status is this target's `status()` entry. */
  status(now: number): UpstreamStatus {
    return {
      url: this.key,
      weight: this.weight,
      healthy: this.available(now),
      ejectedUntil: this.ejectedUntil > now ? Math.ceil(this.ejectedUntil) : null,
      outstanding: this.outstanding,
      requests: this.requests,
      failures: this.failures,
      latencyEwmaMs: this.latencyEwmaMs,
    };
  }
}

/**
 * parseTargetInit validates one target: an absolute http(s) URL with a
 * host, and a weight that is a positive integer; anything else throws a
 * TypeError naming the target.
 */
export function parseTargetInit(init: UpstreamTargetInit): {
  url: MessageURL;
  key: string;
  weight: number;
} {
  const given = typeof init === 'string' || init instanceof URL ? init : init?.url;
  const weight = typeof init === 'string' || init instanceof URL ? 1 : (init?.weight ?? 1);
  const text = given instanceof URL ? given.href : given;
  if (typeof text !== 'string') throw new TypeError(`upstream target ${String(text)} is not a URL`);
  let url: MessageURL;
  try {
    url = parseAbsoluteURL(text);
  } catch {
    throw new TypeError(`upstream target ${JSON.stringify(text)} is not an absolute URL`);
  }
  let origin: string;
  try {
    origin = originOf(url).key; // http or https, a host, a good port
  } catch {
    throw new TypeError(`upstream target ${JSON.stringify(text)} is not an http or https URL`);
  }
  if (!Number.isSafeInteger(weight) || weight < 1) {
    throw new TypeError(
      `upstream target ${JSON.stringify(text)}: weight must be a positive integer, got ${String(weight)}`,
    );
  }
  // The key: the origin with its port, then the path (none is `/`) and query.
  const key = `${origin}${url.path === '' ? '/' : url.path}${url.query === '' ? '' : `?${url.query}`}`;
  return { url, key, weight };
}
