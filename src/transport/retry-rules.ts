import { ErrPersistEOF } from '../errors.js';
import { Body } from '../message/body.js';
import { Request } from '../message/request.js';
import type { PersistConn } from './persist-conn.js';
import { transportError } from './errors.js';
import { noteWireFacts } from './wire-facts.js';

// RFC 9110 §9.2.2; a request with an Idempotency-Key is one too (go#19943).
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * replayable returns a maker of requests to write, one per attempt, when
 * `req`'s body can be sent again (none, or one already in memory: a string,
 * bytes, an ended body), else null. The body is read once here.
 */
export function replayable(req: Request): (() => Request) | null | Promise<(() => Request) | null> {
  const body = req.body;
  if (body === null) return () => req; // at once: most requests have no body
  if (body.length < 0 || body.consumed) return null;
  return body.bytes().then(
    (bytes) => () =>
      new Request(req.method, req.url, {
        header: req.header,
        host: req.host,
        body: Body.from(bytes),
        contentLength: req.contentLength,
        close: req.close,
        trailer: req.trailer,
        protoMajor: req.protoMajor,
        protoMinor: req.protoMinor,
      }),
  );
}

/** isIdempotent reports whether sending `req` twice has the effect of sending it once. */
export function isIdempotent(req: Request): boolean {
  const header = req.header;
  return (
    IDEMPOTENT.has(req.method) || header.has('Idempotency-Key') || header.has('X-Idempotency-Key')
  );
}

/** lostResponse names a connection lost before any response byte; other errors pass through. */
export function lostResponse(pc: PersistConn, err: unknown): unknown {
  if (err !== ErrPersistEOF || pc.responseStarted) return err;
  return pc.reused
    ? transportError('ERR_SERVER_CLOSED_IDLE', 'server closed idle connection', err)
    : transportError('ERR_NO_RESPONSE', 'server closed the connection without a response', err);
}

/**
 * retryAfter closes `pc`, whose exchange of `req` failed, and reports
 * whether `req` goes to another connection (Go's shouldRetryRequest): only
 * when the peer lost a reused conn before any response byte, and the
 * request can be sent again (`replayable`) and is idempotent or was not
 * written at all.
 */
export function retryAfter(pc: PersistConn, req: Request, replayable: boolean): boolean {
  const lost = pc.lost; // the peer's doing, not an abort or timeout of ours
  pc.close();
  return (
    lost &&
    pc.reused &&
    !pc.responseStarted &&
    replayable &&
    (isIdempotent(req) || pc.nothingWritten)
  );
}

/** exchangeError is the error a failed exchange on `pc` rejects with: named (lostResponse), with its wire facts. */
export function exchangeError(pc: PersistConn, err: unknown): unknown {
  const facts = { requestWritten: !pc.nothingWritten, responseStarted: pc.responseStarted };
  return noteWireFacts(lostResponse(pc, err), facts);
}
