/**
 * What a ReverseProxy sends for an inbound request: the outgoing copy of
 * the request and the options of its round trip.
 */
import { ABORT_WATCH, type InternalRoundTripOptions } from '../transport/round-tripper.js';
import type { AbortWatch } from '../message/abort-watch.js';
import { Request, requestAbort, shareRequestAbort } from '../message/request.js';
import type { Response } from '../message/response.js';

/**
 * InboundRoundTrip: the round-trip options for an inbound request. Our
 * Transport watches the request's abort itself; another RoundTripper reads
 * `signal`, which makes the AbortSignal then. (A class: an object literal
 * with a getter, made per request, costs V8 far more.)
 */
export class InboundRoundTrip implements InternalRoundTripOptions {
  readonly [ABORT_WATCH]: AbortWatch | undefined;
  readonly #req: Request;

  constructor(
    req: Request,
    readonly onInformational: (res: Response) => void,
  ) {
    this.#req = req;
    this[ABORT_WATCH] = requestAbort(req);
  }

  get signal(): AbortSignal | undefined {
    return this.#req.signal ?? undefined;
  }
}

/** cloneRequest: the outgoing copy of an incoming request (Go's req.Clone plus ServeHTTP's rules). */
export function cloneRequest(req: Request): Request {
  const out = new Request(
    req.method,
    { ...req.url },
    {
      header: req.header.clone(),
      host: req.host,
      protoMajor: 1,
      protoMinor: 1,
    },
  );
  // go#16036: no body at all when the inbound one is known to be empty.
  out.body = req.contentLength === 0 ? null : req.body;
  out.contentLength = req.contentLength;
  out.trailer = req.trailer;
  out.remoteAddr = req.remoteAddr;
  out.tls = req.tls;
  shareRequestAbort(req, out);
  return out;
}
