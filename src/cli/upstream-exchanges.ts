import type { Detached } from '../io/socket-reader.js';
import { type Request, requestAbort } from '../message/request.js';
import type { Response } from '../message/response.js';
import type { RawSink } from '../transport/raw-exchange.js';
import {
  ABORT_WATCH,
  FAST_ROUND_TRIP,
  fastRoundTripOf,
  type InternalRoundTripOptions,
  type RoundTripOptions,
  type RoundTripper,
} from '../transport/round-tripper.js';

/** UpstreamExchange: one backend exchange made for a client request. */
export interface UpstreamExchange {
  /** The backend's `host:port` as the request went out, or `-` when the round trip failed before one was known. */
  address: string;
  /** The backend's origin (`http://host:port`), the label of its metrics; `-` as `address`. */
  origin: string;
  /** Milliseconds from sending the request to the backend's response head (or the failure). */
  ms: number;
  /** The backend's status, or null when no response came. */
  status: number | null;
}

/**
 * UpstreamExchanges wraps the CLI proxy's RoundTripper: it times each
 * backend round trip, tells `onExchange` (the metrics) and keeps the
 * exchange for the access log, which takes it with `take(req)`. As a
 * RoundTripper rather than a ReverseProxy `proxy` hook, it leaves the
 * proxy its fast path: it passes the inner transport's callback round
 * trip on. An exchange is kept under the client request's abort, which
 * the proxy passes with every round trip and which a request the fast
 * path hands over keeps.
 */
export class UpstreamExchanges implements RoundTripper {
  readonly #inner: RoundTripper;
  readonly #byAbort = new WeakMap<object, UpstreamExchange>();
  readonly #onExchange: (exchange: UpstreamExchange) => void;
  #inFlight = 0;

  constructor(
    inner: RoundTripper,
    onExchange: (exchange: UpstreamExchange) => void = () => undefined,
  ) {
    this.#inner = inner;
    this.#onExchange = onExchange;
  }

  roundTrip(req: Request, options: RoundTripOptions = {}): Promise<Response> {
    const started = this.#start();
    return this.#inner.roundTrip(req, options).then(
      (res) => {
        this.#end(options, req, res, started);
        return res;
      },
      (err: unknown) => {
        this.#end(options, req, null, started);
        throw err;
      },
    );
  }

  /** [FAST_ROUND_TRIP]: the inner transport's, timed alike; false when it has none or declines. */
  [FAST_ROUND_TRIP](req: Request, options: RoundTripOptions, sink: RawSink): boolean {
    const inner = this.#inner;
    const fast = fastRoundTripOf(inner);
    if (fast === undefined) return false;
    const started = this.#start();
    const taken = fast.call(inner, req, options, {
      plain: (res, bytes) => {
        this.#end(options, req, res, started);
        sink.plain(res, bytes);
      },
      response: (res) => {
        this.#end(options, req, res, started);
        sink.response(res);
      },
      error: (err) => {
        this.#end(options, req, null, started);
        sink.error(err);
      },
    });
    if (!taken) this.#inFlight--;
    return taken;
  }

  /** hijack hands over the backend connection of a 101 (an upgrade through the proxy), as the inner transport's `hijack`. */
  hijack(res: Response): Detached {
    const inner = this.#inner as RoundTripper & { hijack?(res: Response): Detached };
    if (typeof inner.hijack !== 'function') {
      throw new TypeError('UpstreamExchanges: the transport cannot hand over a connection');
    }
    return inner.hijack(res);
  }

  /** inFlight counts the backend round trips started and not yet settled. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** take returns the exchange made for the client request `req` and forgets it, or null when none was made. */
  take(req: Request): UpstreamExchange | null {
    const abort = requestAbort(req);
    if (abort === undefined) return null;
    const exchange = this.#byAbort.get(abort) ?? null;
    this.#byAbort.delete(abort);
    return exchange;
  }

  #start(): number {
    this.#inFlight++;
    return performance.now();
  }

  /** #end records a round trip of `out` that answered `res` (null: failed). */
  #end(options: RoundTripOptions, out: Request, res: Response | null, started: number): void {
    this.#inFlight--;
    // A balancing transport points the request it sends (res.request) at the target it chose;
    // a failure names the target the director chose.
    const exchange = exchangeWith(res?.request?.url ?? out.url, res?.status ?? null);
    exchange.ms = performance.now() - started;
    // The proxy's InboundRoundTrip carries the client request's abort.
    const abort = (options as InternalRoundTripOptions)[ABORT_WATCH];
    if (abort !== undefined) this.#byAbort.set(abort, exchange);
    this.#onExchange(exchange);
  }
}

function exchangeWith(
  url: { scheme: string; host: string },
  status: number | null,
): UpstreamExchange {
  const { scheme, host } = url;
  return { address: host || '-', origin: host === '' ? '-' : `${scheme}://${host}`, ms: 0, status };
}
