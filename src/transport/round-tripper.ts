import { type AbortWatch, watchSignal } from '../message/abort-watch.js';
import type { Request } from '../message/request.js';
import type { Response } from '../message/response.js';
import type { RawSink } from './raw-exchange.js';

/** ABORT_WATCH keys the internal abort of RoundTripOptions. */
export const ABORT_WATCH: unique symbol = Symbol('httpwire.abortWatch');

/** RoundTripOptions: per-request controls for `RoundTripper.roundTrip`. */
export interface RoundTripOptions {
  /**
   * Aborts the round trip: the dial, the write, the wait for the head and,
   * once `roundTrip` has resolved, the streaming response body.
   */
  signal?: AbortSignal;
  /** Called with each 1xx response other than 101 before the final one; default: they are skipped. */
  onInformational?: (res: Response) => void;
}

/**
 * InternalRoundTripOptions: RoundTripOptions plus the abort as an
 * AbortWatch, which our Transport reads instead of `signal` when the key is
 * present (the ReverseProxy passes a server request's abort without making
 * its AbortSignal). Not exported from the package.
 */
export interface InternalRoundTripOptions extends RoundTripOptions {
  [ABORT_WATCH]?: AbortWatch | undefined;
}

/**
 * RoundTripper executes a single HTTP transaction (Go's http.RoundTripper):
 * it sends `req` and resolves with the response, whose body streams. It
 * rejects only when no response was obtained; a 4xx or 5xx is a response.
 */
export interface RoundTripper {
  roundTrip(req: Request, options?: RoundTripOptions): Promise<Response>;
}

/** abortWatchOf: the internal abort when the caller passed one (our ReverseProxy), else `signal`'s. */
export function abortWatchOf(options: RoundTripOptions): AbortWatch | undefined {
  if (ABORT_WATCH in options) return (options as InternalRoundTripOptions)[ABORT_WATCH];
  return options.signal === undefined ? undefined : watchSignal(options.signal);
}

/**
 * FAST_ROUND_TRIP keys a RoundTripper's callback round trip (internal, for
 * the ReverseProxy's fast path): `(req, options, sink) => boolean`, as
 * roundTrip but ending in a RawSink (raw-exchange.ts), a plain answer's
 * bytes apart; false, having done nothing, when roundTrip must be called.
 * Transport and Upstreams have one.
 */
export const FAST_ROUND_TRIP = Symbol('httpwire.fastRoundTrip');

/** FastRoundTrip: a RoundTripper's `[FAST_ROUND_TRIP]` method. */
export type FastRoundTrip = (req: Request, options: RoundTripOptions, sink: RawSink) => boolean;

/** fastRoundTripOf returns `transport`'s `[FAST_ROUND_TRIP]`, or undefined when it has none. */
export function fastRoundTripOf(transport: RoundTripper): FastRoundTrip | undefined {
  return (transport as { [FAST_ROUND_TRIP]?: FastRoundTrip })[FAST_ROUND_TRIP];
}
