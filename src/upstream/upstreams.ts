/**
 * Upstreams: a RoundTripper that balances requests over several backends,
 * keeps track of their health and fails over by what happened on the wire.
 */
import { UnavailableError } from '../errors.js';
import type { Detached } from '../io/socket-reader.js';
import type { Request } from '../message/request.js';
import type { MessageURL } from '../message/url.js';
import type { Response } from '../message/response.js';
import { joinQuery, joinURLPath } from '../proxy/proxy-url.js';
import { transportClosed, transportError } from '../transport/errors.js';
import { isIdempotent, replayable } from '../transport/retry-rules.js';
import type { RawSink } from '../transport/raw-exchange.js';
import {
  FAST_ROUND_TRIP,
  type RoundTripOptions,
  type RoundTripper,
} from '../transport/round-tripper.js';
import type { Transport, TransportOptions } from '../transport/transport.js';
import { wireFacts } from '../transport/wire-facts.js';
import { HealthCheck } from './active-health.js';
import { PassiveHealth } from './passive-health.js';
import { newPicker, type Picker } from './policy.js';
import { RetryBudget } from './retry-budget.js';
import { type StateReporter, stateReporter } from './state-channel.js';
import { parseTargetInit, Target, type UpstreamStatus, type UpstreamTargetInit } from './target.js';
import { checkOptions, type UpstreamsOptions } from './upstream-options.js';
import { type Attempts, countsAgainstTarget } from './attempts.js';
import { clockNow } from './clock.js';

/** Each target's pool by default: a proxy talks to few hosts, so keep many idle connections. */
const DEFAULT_POOL: TransportOptions = { maxIdleConnsPerHost: 128 };

/**
 * Upstreams implements RoundTripper over a set of targets, each with its
 * own Transport pool. `roundTrip` picks an available target by `policy`,
 * points `req.url` at it (scheme and host; with `joinPath`, the target's
 * path and query joined too) and sends the request there. An attempt that
 * fails may be retried on another target, decided by wire facts
 * (`wireFacts(err)`): a request that never reached the wire is retried for
 * any method, even with a streaming body not yet read; a written request
 * that got no response byte only when idempotent and its body is absent
 * or replayable, within `retry.tries` and the retry budget; anything else
 * is never sent twice. An idempotent, replayable request answered 503 with
 * Retry-After is retried on another target too.
 *
 * With no available target it rejects with `UnavailableError`
 * (`ERR_NO_UPSTREAM`, which the ReverseProxy answers with 503); when every
 * attempt failed it rejects with the last attempt's error (502 there).
 */
export class Upstreams implements RoundTripper {
  readonly #targets: Target[] = [];
  readonly #picker: Picker;
  readonly #passive: PassiveHealth | null;
  readonly #checks = new Map<Target, HealthCheck>();
  readonly #budget: RetryBudget;
  readonly #tries: number;
  readonly #options: UpstreamsOptions;
  readonly #report: StateReporter;
  readonly #slowStart: number;
  readonly #upgraded = new WeakMap<Response, Transport>(); // 101s waiting for hijack()
  #closed = false;

  /** See UpstreamsOptions; bad targets or options throw a TypeError. */
  constructor(targets: readonly UpstreamTargetInit[], options: UpstreamsOptions = {}) {
    if (!Array.isArray(targets) || targets.length === 0) {
      throw new TypeError('Upstreams needs at least one target');
    }
    checkOptions(options);
    this.#options = options;
    this.#picker = newPicker(options.policy ?? 'round-robin');
    this.#report = stateReporter(options.errorLog);
    this.#slowStart = options.slowStart ?? 10_000;
    this.#tries = options.retry?.tries ?? 2;
    this.#budget = new RetryBudget(options.retry?.budget ?? 0.2);
    const passive = options.passive ?? {};
    this.#passive =
      passive === false
        ? null
        : new PassiveHealth(passive, () => this.#targets, this.#report, this.#slowStart);
    const parsed = targets.map(parseTargetInit);
    const keys = new Set<string>();
    for (const p of parsed) {
      if (keys.has(p.key)) throw new TypeError(`duplicate upstream target ${p.key}`);
      keys.add(p.key);
    }
    for (const p of parsed) this.#start(new Target(p.url, p.key, p.weight, this.#pool()));
  }

  /** roundTrip sends `req` to a target; see the class comment for failover and errors. */
  async roundTrip(req: Request, options: RoundTripOptions = {}): Promise<Response> {
    if (this.#closed) throw transportClosed();
    // A request without a body is sent as it is on every attempt; one with
    // a body in memory is copied per attempt; a streaming one is sent once.
    let replay: (() => Request) | null = null;
    if (req.body !== null) {
      const replaying = replayable(req);
      replay = replaying instanceof Promise ? await replaying : replaying;
    }
    return this.#attempts(this.#begin(req, req.body === null || replay !== null, replay), options);
  }

  /**
   * [FAST_ROUND_TRIP] (internal, the ReverseProxy's fast path): roundTrip
   * for a bodiless `req`, whose first attempt ends by callbacks when the
   * target's Transport can take it so (a plain answer's bytes apart); any
   * failover after it runs as in roundTrip. False, having done nothing,
   * for a request with a body or once closed.
   */
  [FAST_ROUND_TRIP](req: Request, options: RoundTripOptions, sink: RawSink): boolean {
    if (this.#closed || req.body !== null) return false;
    const state = this.#begin(req, true, null);
    let target: Target;
    try {
      target = this.#next(state);
    } catch (err) {
      sink.error(err); // no available target: what roundTrip rejects with
      return true;
    }
    const resume = () => void this.#attempts(state, options).then(sink.response, sink.error);
    const first: RawSink = {
      plain: (res, bytes) => {
        if (this.#answered(state, target, res)) sink.plain(res, bytes);
        else resume(); // a 503 to retry elsewhere: its body is `bytes`, already read
      },
      response: (res) => {
        if (this.#answered(state, target, res)) sink.response(res);
        else void this.#drop(state, res).then(resume, sink.error);
      },
      error: (err) => {
        try {
          this.#failed(state, target, err);
        } catch (final) {
          sink.error(final);
          return;
        }
        resume();
      },
    };
    const transport = target.transport;
    if (!transport[FAST_ROUND_TRIP](req, options, first)) {
      transport.roundTrip(req, options).then(first.response, first.error);
    }
    return true;
  }

  /** #begin starts the attempts for `req`: the retry budget counts it. */
  #begin(req: Request, canReplay: boolean, replay: (() => Request) | null): Attempts {
    const now = clockNow();
    this.#budget.request(now);
    return {
      req,
      base: req.url,
      canReplay,
      replay,
      now,
      tried: null,
      target: null,
      written: 0,
      lastErr: null,
    };
  }

  /** #attempts makes attempts for `state` until one answers or failing over ends. */
  async #attempts(state: Attempts, options: RoundTripOptions): Promise<Response> {
    for (;;) {
      const target = this.#next(state);
      const wire = state.replay === null ? state.req : state.replay();
      let res: Response;
      try {
        res = await target.transport.roundTrip(wire, options);
      } catch (err) {
        this.#failed(state, target, err); // throws when it may not be retried
        continue;
      }
      if (this.#answered(state, target, res)) return res;
      await this.#drop(state, res);
    }
  }

  /** #drop reads away the body of a 503 to retry elsewhere; the clock moves on past it. */
  async #drop(state: Attempts, res: Response): Promise<void> {
    await res.body?.dump();
    state.now = clockNow();
  }

  /** #next picks the next target for `state` (the previous one counts as tried) and points the request at it. */
  #next(state: Attempts): Target {
    if (state.target !== null) (state.tried ??= []).push(state.target);
    const target = this.#pick(state.req, state.tried, state.now);
    if (target === null) {
      if (state.tried !== null) throw state.lastErr;
      throw this.#unavailable();
    }
    state.target = target;
    state.req.url = this.#route(state.base, target.url);
    target.outstanding++;
    target.requests++;
    return target;
  }

  /**
   * #failed accounts for an attempt on `target` that failed with `err` and
   * returns when another may be made; else it throws the error to give.
   */
  #failed(state: Attempts, target: Target, err: unknown): void {
    this.#settled(target);
    const facts = wireFacts(err);
    if (!countsAgainstTarget(err)) throw err;
    state.now = clockNow();
    this.#passive?.failure(target, state.now);
    if (facts === null) throw err;
    if (!facts.requestWritten) {
      // Nothing left: free to go elsewhere, if the body is still whole.
      if (!state.canReplay && state.req.body?.consumed === true) throw err;
    } else {
      state.written++;
      const again =
        !facts.responseStarted &&
        state.canReplay &&
        this.#mayRetry(state.req, state.written, target, state.tried, state.now);
      if (!again) throw err;
    }
    state.lastErr = err;
  }

  /**
   * #answered accounts for `res` from `target`: true when it is the
   * answer; false when it is a 503 to retry elsewhere (passive health
   * marked the target), whose body the caller drops before the next attempt.
   */
  #answered(state: Attempts, target: Target, res: Response): boolean {
    this.#settled(target);
    const sent = state.now;
    state.now = clockNow();
    const ms = state.now - sent;
    target.latencyEwmaMs = target.latencyEwmaMs === 0 ? ms : target.latencyEwmaMs * 0.8 + ms * 0.2;
    if (res.status === 101 || (state.req.method === 'CONNECT' && res.status < 300)) {
      this.#upgraded.set(res, target.transport);
    }
    state.written++;
    if (this.#passive === null || !this.#passive.response(target, res, state.now)) return true;
    const req = state.req;
    if (!state.canReplay || !this.#mayRetry(req, state.written, target, state.tried, state.now)) {
      return true;
    }
    state.lastErr = transportError('ERR_UPSTREAM_503', `${target.key} answered 503`);
    return false;
  }

  /** hijack hands over the socket of a 101 (or a 2xx to CONNECT) response that this returned (Transport.hijack). */
  hijack(res: Response): Detached {
    const transport = this.#upgraded.get(res);
    if (transport === undefined) {
      throw transportError('ERR_NOT_UPGRADED', 'response did not switch protocols');
    }
    this.#upgraded.delete(res);
    return transport.hijack(res);
  }

  /**
   * add adds a target at run time, eased in by slow start; a bad or
   * duplicate target throws a TypeError.
   */
  add(target: UpstreamTargetInit): void {
    if (this.#closed) throw transportClosed();
    const p = parseTargetInit(target);
    if (this.#targets.some((t) => t.key === p.key)) {
      throw new TypeError(`duplicate upstream target ${p.key}`);
    }
    const t = new Target(p.url, p.key, p.weight, this.#pool());
    t.easeIn(clockNow(), this.#slowStart);
    this.#start(t);
  }

  /**
   * remove takes a target out: it gets no new requests at once, and the
   * promise resolves with true once its round trips in flight have their
   * response heads (bodies still streaming finish before its pool
   * closes). An unknown target resolves with false.
   */
  async remove(target: UpstreamTargetInit): Promise<boolean> {
    const key = parseTargetInit(target).key;
    const at = this.#targets.findIndex((t) => t.key === key);
    if (at === -1) return false;
    const t = this.#targets[at]!;
    this.#targets.splice(at, 1);
    t.draining = true;
    this.#checks.get(t)?.stop();
    this.#checks.delete(t);
    if (t.outstanding > 0) await new Promise<void>((resolve) => (t.onDrained = resolve));
    this.#stop(t);
    return true;
  }

  /** status returns one entry per target, in the order they were added. */
  status(): UpstreamStatus[] {
    const now = clockNow();
    return this.#targets.map((t) => t.status(now));
  }

  /**
   * close stops the health checks and closes every pool: round trips in
   * flight finish, new ones reject with `ERR_TRANSPORT_CLOSED`.
   */
  close(): void {
    this.#closed = true;
    for (const t of this.#targets) this.#stop(t);
    this.#checks.clear();
  }

  #start(t: Target): void {
    this.#targets.push(t);
    const health = this.#options.health;
    if (health != null) {
      const tls = this.#options.pool?.tls;
      this.#checks.set(t, new HealthCheck(t, health, this.#report, this.#slowStart, tls));
    }
  }

  #stop(t: Target): void {
    this.#checks.get(t)?.stop();
    if (t.ejectTimer !== null) clearTimeout(t.ejectTimer);
    t.ejectTimer = null;
    t.transport.close();
  }

  #pool(): TransportOptions {
    return this.#options.pool ?? DEFAULT_POOL;
  }

  #settled(t: Target): void {
    t.outstanding--;
    if (t.outstanding === 0 && t.onDrained !== null) t.onDrained();
  }

  /**
   * #pick asks the policy among the available targets not tried yet, or
   * returns null when there are none. When every target is a candidate
   * (the common case) the policy gets the target list itself.
   */
  #pick(req: Request, tried: readonly Target[] | null, now: number): Target | null {
    const targets = this.#targets;
    let candidates: readonly Target[] = targets;
    for (const t of targets) {
      if (!t.available(now) || (tried !== null && tried.includes(t))) {
        candidates = targets.filter((c) => c.available(now) && !tried?.includes(c));
        break;
      }
    }
    return candidates.length === 0 ? null : this.#picker.pick(candidates, req, now);
  }

  /**
   * #mayRetry: a written attempt of `req` on `current` may be made again
   * elsewhere when the method is idempotent, the tries are not used up, a
   * target other than `current` and the `tried` ones is available and the
   * retry budget has room (taken from it if so).
   */
  #mayRetry(
    req: Request,
    written: number,
    current: Target,
    tried: readonly Target[] | null,
    now: number,
  ): boolean {
    return (
      written < this.#tries &&
      isIdempotent(req) &&
      this.#targets.some((t) => t !== current && t.available(now) && !tried?.includes(t)) &&
      this.#budget.tryRetry(now)
    );
  }

  /** #route points `base` at `target`: scheme and host, and with joinPath its path and query. */
  #route(base: MessageURL, target: MessageURL): MessageURL {
    if (this.#options.joinPath !== true) {
      return { ...base, scheme: target.scheme, host: target.host };
    }
    return {
      ...base,
      scheme: target.scheme,
      host: target.host,
      path: joinURLPath(target.path, base.path),
      query: joinQuery(target.query, base.query),
    };
  }

  /** #unavailable: the 503 error, with the seconds until the first ejection ends as Retry-After. */
  #unavailable(): UnavailableError {
    let first = Infinity;
    for (const t of this.#targets) {
      if (t.healthy && !t.draining && t.ejectedUntil > 0) first = Math.min(first, t.ejectedUntil);
    }
    const retryAfter =
      first === Infinity ? null : Math.max(1, Math.ceil((first - clockNow()) / 1000));
    const message = this.#closed ? 'upstreams closed' : 'no healthy upstream';
    return new UnavailableError(message, retryAfter);
  }
}
