import type { Request } from './request.js';
import type { Response } from './response.js';
import { type Sink, writeBody } from './write-body.js';
import {
  type EncodedHead,
  encodeRequestHead,
  encodeResponseHead,
  type RequestHeadOptions,
  type ResponseHeadOptions,
} from './write-head.js';

export type { Sink } from './write-body.js';
export { writeBody } from './write-body.js';
export type {
  EncodedHead,
  Framing,
  RequestHeadOptions,
  ResponseHeadOptions,
} from './write-head.js';
export { encodeRequestHead, encodeResponseHead } from './write-head.js';

/** Sent: a message whose writing has begun. */
export interface Sent {
  /** The head as written, with the framing it promised for the body. */
  readonly encoded: EncodedHead;
  /** Settles once the whole message was handed to the sink; null when that already happened. */
  readonly pending: Promise<void> | null;
}

/** SendRequestOptions: how a request is sent. */
export interface SendRequestOptions extends RequestHeadOptions {
  /**
   * Hold the request back until the current run of callbacks and promise
   * jobs is over, so that it leaves with the others sent in that run; default
   * false (it is handed to the sink at once).
   */
  cork?: boolean;
}

/**
 * sendRequest starts writing `req` to `sink`: its head (`encodeRequestHead`;
 * a bad head throws before a byte is written) and its body (`writeBody`,
 * which consumes `req.body`). A body in memory is handed over at once and
 * its errors are thrown; a streamed one goes on in `pending`. `close` in
 * the encoded head says whether the connection must close after this
 * exchange. On a failure after the head went out the message is incomplete
 * and the connection must be closed.
 */
export function sendRequest(sink: Sink, req: Request, options: SendRequestOptions = {}): Sent {
  const encoded = encodeRequestHead(req, options);
  if (options.cork === true) corkUntilNextTick(sink);
  const pending = writeBody(sink, req.body, encoded.framing, encoded.head) ?? null;
  return { encoded, pending };
}

/**
 * sendResponse starts writing `res` to `sink` as `sendRequest` does for
 * requests, corked until the next tick so that answers to pipelined
 * requests leave together. A response without body bytes (to HEAD, 1xx,
 * 204, 304) leaves `res.body` unread; with `close` framing the caller
 * closes the connection after it.
 */
export function sendResponse(sink: Sink, res: Response, options?: ResponseHeadOptions): Sent {
  const encoded = encodeResponseHead(res, options);
  corkUntilNextTick(sink);
  const pending = writeBody(sink, res.body, encoded.framing, encoded.head) ?? null;
  return { encoded, pending };
}

/** writeRequest writes `req` to `sink` (see `sendRequest`) and resolves with its encoded head once all of it was handed over. */
export async function writeRequest(
  sink: Sink,
  req: Request,
  options?: RequestHeadOptions,
): Promise<EncodedHead> {
  const { encoded, pending } = sendRequest(sink, req, options);
  if (pending !== null) await pending;
  return encoded;
}

/** writeResponse writes `res` to `sink` (see `sendResponse`) and resolves with its encoded head once all of it was handed over. */
export async function writeResponse(
  sink: Sink,
  res: Response,
  options?: ResponseHeadOptions,
): Promise<EncodedHead> {
  const { encoded, pending } = sendResponse(sink, res, options);
  if (pending !== null) await pending;
  return encoded;
}

/**
 * corkUntilNextTick holds the sink's writes until the current run of
 * callbacks and promise jobs is over, so responses written back to back
 * (answers to pipelined requests) leave in one syscall. A sink corked
 * already (by an earlier response in this run) stays so.
 */
function corkUntilNextTick(sink: Sink): void {
  if (sink.cork === undefined || sink.uncork === undefined) return;
  if (sink.writableCorked !== undefined && sink.writableCorked > 0) return;
  sink.cork();
  process.nextTick(uncork, sink);
}

function uncork(sink: Sink): void {
  sink.uncork!();
}
