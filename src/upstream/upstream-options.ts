import type { TransportOptions } from '../transport/transport.js';
import type { HealthOptions } from './active-health.js';
import type { PassiveOptions } from './passive-health.js';
import type { UpstreamPolicy } from './policy.js';

/** RetryOptions: failover limits (`options.retry`). */
export interface RetryOptions {
  /**
   * Attempts that reached the wire, per request; default 2 (1: never retry
   * a request that was written). Attempts whose request never reached the
   * wire (a failed dial, a connection lost before the first byte) do not
   * count: each target is tried at most once per request.
   */
  tries?: number;
  /**
   * Retries of written requests may add at most this share of the requests
   * of the last 10 s (with a floor of 3 per second); default 0.2.
   */
  budget?: number;
}

/** UpstreamsOptions: every field is optional. */
export interface UpstreamsOptions {
  /** How a target is picked; default `'round-robin'`. See UpstreamPolicy. */
  policy?: UpstreamPolicy;
  /** Outlier ejection from live traffic; default on with PassiveOptions' defaults; `false` turns it off. */
  passive?: PassiveOptions | false;
  /** Active health checks; default none (targets stay healthy unless ejected). */
  health?: HealthOptions | null;
  /** Failover limits. */
  retry?: RetryOptions;
  /**
   * Milliseconds over which a target coming back (ejection over, health
   * restored, added at run time) is eased in: its weight starts at a tenth
   * and grows linearly to all of it; default 10000, 0 turns it off.
   */
  slowStart?: number;
  /** Options of each target's Transport; default: 128 idle connections kept per target. */
  pool?: TransportOptions;
  /**
   * Join each target's path and query with the request's, as
   * newSingleHostReverseProxy does; default false: only the scheme and
   * host of the request's URL are pointed at the target.
   */
  joinPath?: boolean;
  /** Where state changes are logged; default: a line on stderr. */
  errorLog?: ((message: string) => void) | null;
}

/** checkOptions throws a TypeError for an option out of its domain. */
export function checkOptions(options: UpstreamsOptions): void {
  const { passive, health, retry } = options;
  if (passive !== undefined && passive !== false) {
    positiveInteger('passive.failures', passive.failures);
    nonNegative('passive.ejectFor', passive.ejectFor);
    nonNegative('passive.maxEjectedPercent', passive.maxEjectedPercent);
  }
  if (health != null) {
    if (typeof health.path !== 'string' || !health.path.startsWith('/')) {
      throw new TypeError(`health.path must start with "/", got ${JSON.stringify(health.path)}`);
    }
    positiveInteger('health.interval', health.interval);
    positiveInteger('health.timeout', health.timeout);
    positiveInteger('health.rise', health.rise);
    positiveInteger('health.fall', health.fall);
  }
  positiveInteger('retry.tries', retry?.tries);
  nonNegative('retry.budget', retry?.budget);
  nonNegative('slowStart', options.slowStart);
}

function positiveInteger(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
    throw new TypeError(`${name} must be a positive integer, got ${String(value)}`);
  }
}

function nonNegative(name: string, value: number | undefined): void {
  if (value !== undefined && !(typeof value === 'number' && value >= 0 && value < Infinity)) {
    throw new TypeError(`${name} must be a number >= 0, got ${String(value)}`);
  }
}
