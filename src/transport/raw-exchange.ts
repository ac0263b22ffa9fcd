/**
 * The raw exchange: how a Transport's `roundTrip` sends a bodiless request
 * on an idle kept-alive connection. The request goes out as on a
 * ClientConn; a plain response (RawReader: final, framed by its length,
 * whole in the chunk that completed its head) is read by callbacks, with
 * no ClientConn, TransportBody or promise per step, and the connection is
 * back in the pool before the caller sees the response; any other
 * response is handed to a ClientConn from its first byte and read as on
 * the general path. A failure follows the general path's rules: a stale
 * reused connection is retried when the request may be sent again, and
 * the error carries its wire facts.
 */
import type { Request } from '../message/request.js';
import type { AbortWatch } from '../message/abort-watch.js';
import { Body } from '../message/body.js';
import { type IncomingResponse, Response } from '../message/response.js';
import { sendRequest } from '../message/write-message.js';
import * as channels from './channels.js';
import { abortError } from './errors.js';
import type { PersistConn } from './persist-conn.js';
import { exchangeError, retryAfter } from './retry-rules.js';
import { abortWatchOf, type RoundTripOptions } from './round-tripper.js';
import { noteWireFacts } from './wire-facts.js';

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
  retry(req: Request, options: RoundTripOptions): Promise<IncomingResponse>;
}

/**
 * rawExchangeFor returns the idle connection a raw exchange for `req`
 * would use, or null when `req` is not for one (a body, not http, aborted,
 * client channels observed: raw exchanges publish nothing) or none is idle
 * (dialing is the general path's).
 */
export function rawExchangeFor(
  host: RawExchangeHost,
  req: Request,
  options: RoundTripOptions,
): PersistConn | null {
  if (req.body !== null || req.url.scheme !== 'http' || channels.observed()) return null;
  if (abortWatchOf(options)?.aborted === true) return null;
  return host.takeIdle(req);
}

/** RawSink: where a raw exchange ends; exactly one call. */
export interface RawSink {
  /** plain: a whole response of known length; `res.body` is null, its bytes are `bytes`. */
  plain(res: Response, bytes: Uint8Array): void;
  /** response: any other response, as roundTrip resolves with it. */
  response(res: Response): void;
  /** error: the exchange failed, as roundTrip rejects. */
  error(err: unknown): void;
}

/** rawRoundTrip is rawExchange as roundTrip returns it: a plain answer's bytes become its ended body. */
export function rawRoundTrip(
  host: RawExchangeHost,
  pc: PersistConn,
  req: Request,
  options: RoundTripOptions,
): Promise<IncomingResponse> {
  return new Promise((resolve, reject) => {
    rawExchange(host, pc, req, options, {
      plain(res, bytes) {
        res.body = endedBody(bytes);
        resolve(res as IncomingResponse);
      },
      response: (res) => resolve(res as IncomingResponse),
      error: reject,
    });
  });
}

/** endedBody is a connection's Body that already holds all of `bytes`. */
export function endedBody(bytes: Uint8Array): Body {
  const body = new Body({ highWaterMark: bytes.byteLength });
  if (bytes.byteLength > 0) body.push(bytes);
  body.end();
  return body;
}

/** rawExchange writes `req` on `pc` (taken idle) and ends in `sink` with its response, as roundTrip would. */
export function rawExchange(
  host: RawExchangeHost,
  pc: PersistConn,
  req: Request,
  options: RoundTripOptions,
  sink: RawSink,
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
    sink.error(exchangeError(pc, abortError(abort!)));
  };
  const failed = (err: unknown) => {
    if (!settle()) return;
    if (retryAfter(pc, req, true)) host.retry(req, options).then(sink.response, sink.error);
    else sink.error(exchangeError(pc, err));
  };
  pc.begin();
  reader.start(req.method, {
    plain(head, bytes, stale) {
      if (!settle()) return;
      let res: IncomingResponse;
      try {
        res = Response.fromHead(head, { request: req }) as IncomingResponse; // a Transfer-Encoding it refuses throws
      } catch (err) {
        pc.close();
        sink.error(noteWireFacts(err, { requestWritten: true, responseStarted: true }));
        return;
      }
      host.release(pc, !stale && !res.close && !req.close); // bytes after it: a stale response
      sink.plain(res, bytes);
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
    throw exchangeError(pc, abort?.aborted === true ? abortError(abort) : err);
  }
  try {
    return host.answered(pc, req, res, abort, onAbort, (b) => (body = b));
  } catch (err) {
    throw exchangeError(pc, err); // a 101 nobody asked for: refused, its connection closed
  }
}
