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

/**
 * writeRequest writes `req` to `sink`: its head (`encodeRequestHead`; a bad
 * head throws before a byte is written) and its body (`writeBody`, which
 * consumes `req.body`). It resolves with the encoded head once everything
 * is handed to the sink; `close` there says whether the connection must
 * close after this exchange. On a rejection after the head went out the
 * message is incomplete and the connection must be closed.
 */
export async function writeRequest(
  sink: Sink,
  req: Request,
  options?: RequestHeadOptions,
): Promise<EncodedHead> {
  const encoded = encodeRequestHead(req, options);
  // Not corked: a client keeping requests in flight does better sending
  // each at once than batching them in lockstep with the responses.
  await writeBody(sink, req.body, encoded.framing, encoded.head);
  return encoded;
}

/**
 * writeResponse writes `res` to `sink` as `writeRequest` does for requests.
 * A response without body bytes (to HEAD, 1xx, 204, 304) leaves `res.body`
 * unread; with `close` framing the caller closes the connection after it.
 */
export async function writeResponse(
  sink: Sink,
  res: Response,
  options?: ResponseHeadOptions,
): Promise<EncodedHead> {
  const encoded = encodeResponseHead(res, options);
  corkUntilNextTick(sink);
  await writeBody(sink, res.body, encoded.framing, encoded.head);
  return encoded;
}

/**
 * corkUntilNextTick holds the sink's writes until the current run of
 * callbacks and promise jobs is over, so responses written back to back
 * (answers to pipelined requests) leave in one syscall.
 */
function corkUntilNextTick(sink: Sink): void {
  if (sink.cork === undefined || sink.uncork === undefined) return;
  sink.cork();
  process.nextTick(uncork, sink);
}

function uncork(sink: Sink): void {
  sink.uncork!();
}
