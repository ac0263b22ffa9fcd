/**
 * The ReverseProxy's side of the server's fast path (server/fast-path.ts):
 * the answer to a request the proxy took there, and what it hands to the
 * general path when that answer is not a plain one.
 */
import { isEmptyHeader } from '../message/header.js';
import { LISTENABLE } from '../message/body-listener.js';
import { takeEndedBody } from '../message/body.js';
import type { Request } from '../message/request.js';
import { bodyAllowed, type Response } from '../message/response.js';
import { RESPONSE_EXCLUDE } from '../message/write-head.js';
import type { ResponseWriter } from '../server/handler.js';
import type { FastExchange } from '../server/fast-path.js';
import { fastRoundTripOf, type RoundTripper } from '../transport/round-tripper.js';
import { endedBody, type RawSink } from '../transport/raw-exchange.js';
import { relayInformational } from './copy-response.js';
import { InboundRoundTrip } from './outbound-request.js';
import { removeHopByHopHeaders } from './hop-headers.js';

/**
 * Prefetched: what the fast path got for a request it then handed over:
 * the backend's 1xx responses, and its final response or the round trip's
 * error. The general path replays them as if its own round trip had just
 * produced them, so the client gets the same bytes.
 */
export class Prefetched {
  constructor(
    readonly infos: readonly Response[] | null,
    readonly res: Response | null,
    readonly error: unknown,
  ) {}

  /** replay relays the 1xx responses on `rw` and returns the response, or throws the error. */
  replay(rw: ResponseWriter): Response {
    if (this.infos !== null) for (const info of this.infos) relayInformational(rw, info);
    if (this.res === null) throw this.error;
    return this.res;
  }
}

/**
 * sendFast sends `out`, built from `req` as serveHTTP builds it, for the
 * fast path, and answers whole (answerFast) or hands the request to the
 * general path with what came back. Our Transport's raw exchange on a
 * kept-alive connection ends here by callbacks (FAST_ROUND_TRIP).
 */
export function sendFast(
  exchange: FastExchange,
  req: Request,
  out: Request,
  transport: RoundTripper,
): void {
  let infos: Response[] | null = null;
  const options = new InboundRoundTrip(req, (info) => void (infos ??= []).push(info));
  const sink: RawSink = {
    plain: (res, bytes) => respondWhole(exchange, res, bytes),
    response: (res) => answerFast(exchange, req, res, infos),
    error: (err) => exchange.handover(new Prefetched(infos, null, err)),
  };
  const fast = fastRoundTripOf(transport);
  if (fast === undefined || !fast.call(transport, out, options, sink)) {
    transport.roundTrip(out, options).then(sink.response, sink.error);
  }
}

/**
 * answerFast answers `req` with `res` by one write when it is plain — a
 * final response with a body allowed, of known length and already whole
 * (off the wire with its head), no trailers, no 1xx before it, to a
 * request other than HEAD — with the header the general path would copy
 * (hop-by-hop fields removed) and the bytes it would write; anything else
 * goes to the general path with what was received.
 */
function answerFast(
  exchange: FastExchange,
  req: Request,
  res: Response,
  infos: readonly Response[] | null,
): void {
  const body = res.body;
  if (
    infos === null &&
    req.method !== 'HEAD' &&
    bodyAllowed(res.status) && // not 1xx, 204 or 304
    res.contentLength >= 0 &&
    body !== null &&
    body[LISTENABLE] &&
    body.ended &&
    !body.consumed &&
    isEmptyHeader(res.trailer)
  ) {
    respondWhole(exchange, res, takeEndedBody(body));
    return;
  }
  exchange.handover(new Prefetched(infos, res, null));
}

/**
 * respondWhole writes `res` with its whole body, `bytes`, and its header
 * as the general path would copy it (hop-by-hop fields removed); a line
 * the general path refuses hands it over (a 500 there).
 */
function respondWhole(exchange: FastExchange, res: Response, bytes: Uint8Array): void {
  let lines: string;
  try {
    removeHopByHopHeaders(res.header);
    lines = res.header.wireLines(RESPONSE_EXCLUDE);
  } catch {
    res.body = endedBody(bytes);
    exchange.handover(new Prefetched(null, res, null));
    return;
  }
  exchange.respond(res.status, lines, res.header.has('Date'), bytes);
}
