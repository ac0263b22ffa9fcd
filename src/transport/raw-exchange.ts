/**
 * The raw exchange: a Transport's round trip for a bodiless request on an
 * idle kept-alive connection, by callbacks (the ReverseProxy's fast path
 * uses it through `Transport[FAST_ROUND_TRIP]`). The request goes out as
 * `roundTrip` writes it; a plain response (RawReader) is read without a
 * ClientConn, Body or promise; any other response is handed to a
 * ClientConn from its first byte and read as `roundTrip` reads it. A
 * failure follows `roundTrip`'s rules: a stale reused connection is
 * retried when the request may be sent again, and the error carries its
 * wire facts.
 */
import type { Request } from '../message/request.js';
import type { AbortWatch } from '../message/abort-watch.js';
import type { Body } from '../message/body.js';
import { type IncomingResponse, Response } from '../message/response.js';
import { sendRequest } from '../message/write-message.js';
import * as channels from './channels.js';
import { abortError } from './errors.js';
import type { PersistConn } from './persist-conn.js';
import { isIdempotent, lostResponse } from './retry-rules.js';
import { abortWatchOf, type RoundTripOptions } from './round-tripper.js';
import { noteWireFacts } from './wire-facts.js';

/** FastSink: where a fast round trip ends; exactly one call. */
export interface FastSink {
  /** plain: a whole response of known length; `res.body` is null, its bytes are `body`. */
  plain(res: Response, body: Uint8Array): void;
  /** response: any other response, as `roundTrip` resolves with it (a streaming body, 1xx relayed first). */
  response(res: Response): void;
  /** error: the round trip failed, as `roundTrip` rejects. */
  error(err: unknown): void;
}

/** RawExchangeHost: what a raw exchange needs from its Transport. */
export interface RawExchangeHost {
  /** takeIdle takes an idle live connection to `req`'s origin, or returns null. */
  takeIdle(req: Request): PersistConn | null;
  /** release parks `pc` after a whole response, or closes it when it is not `reusable`. */
  release(pc: PersistConn, reusable: boolean): void;
  /** max1xxResponses: the Transport's option (undefined: the ClientConn default). */
  max1xxResponses(): number | undefined;
  /** answered makes a response head read on `pc` what roundTrip resolves with (Transport's #answered). */
  answered(
    pc: PersistConn,
    req: Request,
    res: IncomingResponse,
    abort: AbortWatch | undefined,
    onAbort: () => void,
    onBody: (body: Body) => void,
  ): IncomingResponse;
  /** retry makes a new attempt for `req` after a stale connection failed, as `roundTrip` would. */
  retry(req: Request, options: RoundTripOptions): Promise<Response>;
}

/**
 * startRawExchange starts a raw exchange for `req` and returns true, or
 * returns false, having done nothing, when `req` is not for one (a body,
 * not http, aborted, client channels observed: raw exchanges publish
 * nothing) or no connection is idle (dialing is roundTrip's).
 */
export function startRawExchange(
  host: RawExchangeHost,
  req: Request,
  options: RoundTripOptions,
  sink: FastSink,
): boolean {
  if (req.body !== null || req.url.scheme !== 'http' || channels.observed()) return false;
  if (abortWatchOf(options)?.aborted === true) return false;
  const pc = host.takeIdle(req);
  if (pc === null) return false;
  rawExchange(host, pc, req, options, sink);
  return true;
}

/** rawExchange writes `req` on `pc` (taken idle) and reads its response into `sink`. */
function rawExchange(
  host: RawExchangeHost,
  pc: PersistConn,
  req: Request,
  options: RoundTripOptions,
  sink: FastSink,
): void {
  const abort = abortWatchOf(options);
  const reader = pc.raw();
  let settled = false;
  const settle = (): boolean => {
    if (settled) return false;
    settled = true;
    abort?.unwatch(onAbort);
    return true;
  };
  const onAbort = () => {
    if (!settle()) return;
    pc.close();
    sink.error(abortError(abort!));
  };
  const failed = (err: unknown) => {
    if (!settle()) return;
    const lost = pc.lost;
    pc.close();
    // Go's shouldRetryRequest, as roundTrip: only a reused conn, only before any response byte.
    if (lost && pc.reused && !pc.responseStarted && (isIdempotent(req) || pc.nothingWritten)) {
      host.retry(req, options).then(sink.response, sink.error);
      return;
    }
    const facts = { requestWritten: !pc.nothingWritten, responseStarted: pc.responseStarted };
    sink.error(noteWireFacts(lostResponse(pc, err), facts));
  };
  pc.begin();
  reader.start(req.method, {
    plain(head, body, stale) {
      if (!settle()) return;
      let res: Response;
      try {
        res = Response.fromHead(head, { request: req }); // a Transfer-Encoding it refuses throws
      } catch (err) {
        pc.close();
        sink.error(noteWireFacts(err, { requestWritten: true, responseStarted: true }));
        return;
      }
      if (stale) pc.staleAfterRaw();
      host.release(pc, !res.close);
      sink.plain(res, body);
    },
    adopt(bytes) {
      if (!settle()) return;
      pc.adopt(req, bytes);
      readAdopted(host, pc, req, options).then(sink.response, sink.error);
    },
    failed,
  });
  abort?.watch(onAbort);
  try {
    sendRequest(pc.socket, req); // a bodiless request: written at once
  } catch (err) {
    failed(err); // an invalid request: nothing was written
  }
}

/** readAdopted reads the response a raw exchange handed to `pc`'s ClientConn, as roundTrip reads one. */
async function readAdopted(
  host: RawExchangeHost,
  pc: PersistConn,
  req: Request,
  options: RoundTripOptions,
): Promise<IncomingResponse> {
  const abort = abortWatchOf(options);
  let body: Body | null = null;
  const onAbort = () => {
    body?.fail(abortError(abort!));
    pc.close(); // a read still waiting fails
  };
  abort?.watch(onAbort);
  let res: IncomingResponse;
  try {
    const read = {
      onInformational: options.onInformational,
      max1xxResponses: host.max1xxResponses(),
    };
    res = await pc.conn.read(req, read);
  } catch (err) {
    abort?.unwatch(onAbort);
    pc.close();
    if (abort?.aborted === true) throw abortError(abort);
    throw noteWireFacts(err, { requestWritten: true, responseStarted: pc.responseStarted });
  }
  return host.answered(pc, req, res, abort, onAbort, (b) => (body = b));
}
