import type { Response } from '../message/response.js';
import type { StateReporter } from './state-channel.js';
import type { Target } from './target.js';
import { clockNow } from './clock.js';

/** PassiveOptions: outlier ejection from live traffic (`options.passive`). */
export interface PassiveOptions {
  /** Consecutive failed attempts that eject a target; default 5. */
  failures?: number;
  /** Milliseconds an ejection lasts; default 30000. */
  ejectFor?: number;
  /** At most `floor(n × maxEjectedPercent / 100)` targets (at least one) are ejected at once; default 50. */
  maxEjectedPercent?: number;
  /**
   * Count 5xx responses as failures; default false. A 503 with Retry-After
   * always marks the target, for that long, beyond the ejection cap.
   */
  failOn5xx?: boolean;
}

/** Retry-After is honoured between these bounds (ms). */
const MIN_RETRY_AFTER = 1_000;
const MAX_RETRY_AFTER = 300_000;

/**
 * PassiveHealth ejects targets on what live traffic shows: consecutive
 * failures, 5xx when asked, a 503 with Retry-After. An ejected target
 * returns on its own when the ejection ends, eased in by slow start.
 */
export class PassiveHealth {
  readonly #failures: number;
  readonly #ejectFor: number;
  readonly #maxPercent: number;
  readonly #failOn5xx: boolean;
  readonly #targets: () => readonly Target[];
  readonly #report: StateReporter;
  readonly #slowStart: number;

  constructor(
    options: PassiveOptions,
    targets: () => readonly Target[],
    report: StateReporter,
    slowStart: number,
  ) {
    this.#failures = options.failures ?? 5;
    this.#ejectFor = options.ejectFor ?? 30_000;
    this.#maxPercent = options.maxEjectedPercent ?? 50;
    this.#failOn5xx = options.failOn5xx ?? false;
    this.#targets = targets;
    this.#report = report;
    this.#slowStart = slowStart;
  }

  /** failure counts a failed attempt on `t` at `now`, ejecting it after enough in a row. */
  failure(t: Target, now: number): void {
    t.failures++;
    t.streak++;
    if (t.streak >= this.#failures) {
      this.#eject(t, this.#ejectFor, `${t.streak} consecutive failures`, now);
    }
  }

  /**
   * response judges a response of `t` at `now`: it returns true when the
   * target was marked by a 503 with Retry-After (for that long, bounded to
   * 1 s – 5 min; `ejectFor` when the value is not understood).
   */
  response(t: Target, res: Response, now: number): boolean {
    const status = res.status;
    if (status < 500) {
      t.streak = 0;
      return false;
    }
    const retryAfter = status === 503 ? res.header.get('Retry-After') : null;
    if (retryAfter !== null) {
      t.failures++;
      const ms = retryAfterMs(retryAfter, now) ?? this.#ejectFor;
      const bounded = Math.min(Math.max(ms, MIN_RETRY_AFTER), MAX_RETRY_AFTER);
      this.#eject(t, bounded, '503 with Retry-After', now, false);
      return true;
    }
    if (this.#failOn5xx) this.failure(t, now);
    else t.streak = 0;
    return false;
  }

  /**
   * #eject ejects `t` for `ms` unless it already is or, when `capped`, the
   * cap is reached. A Retry-After is not capped: it is the backend's own
   * word that it takes no traffic, not our guess that it is an outlier.
   */
  #eject(t: Target, ms: number, reason: string, now: number, capped = true): void {
    if (t.ejectedUntil > now) return;
    if (capped) {
      const targets = this.#targets();
      let ejected = 0;
      for (const other of targets) if (other.ejectedUntil > now) ejected++;
      const cap = Math.max(1, Math.floor((targets.length * this.#maxPercent) / 100));
      if (ejected >= cap) return;
    }
    t.ejectedUntil = now + ms;
    t.streak = 0;
    t.ejectTimer = setTimeout(() => this.#return(t), ms).unref();
    if (t.healthy && !t.draining) this.#report(t.key, false, `ejected for ${ms} ms: ${reason}`);
  }

  #return(t: Target): void {
    t.ejectTimer = null;
    t.ejectedUntil = 0;
    t.easeIn(clockNow(), this.#slowStart);
    if (t.healthy && !t.draining) this.#report(t.key, true, 'ejection over');
  }
}

/** retryAfterMs reads Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); null when neither. */
function retryAfterMs(value: string, now: number): number | null {
  if (value === '') return null;
  let digits = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) digits = false;
  }
  if (digits) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : at - now;
}
