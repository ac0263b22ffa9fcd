import { Body } from '../message/body.js';
import type { Request } from '../message/request.js';
import type { Response } from '../message/response.js';
import { writeBody } from '../message/write-body.js';
import { encodeRequestHead, encodeResponseHead, type Framing } from '../message/write-head.js';
import { MemorySink } from './memory-sink.js';

/** DumpOptions: what a dump includes. */
export interface DumpOptions {
  /**
   * Include the body; default false (the head only). The body is read to
   * its end and replaced by a replay of the same bytes, so the message can
   * still be sent or read afterwards.
   */
  body?: boolean;
}

/** Go's reqWriteExcludeHeaderDump: lines the dump writes itself, not from the header. */
const INCOMING_EXCLUDE: ReadonlySet<string> = new Set(['host', 'transfer-encoding', 'trailer']);

const NO_FRAMING: Framing = { kind: 'none', length: -1, trailer: null };

/**
 * replayBody reads `message.body` to its end, puts a replay of the same
 * bytes in its place and returns them; null when the message has no body.
 */
async function replayBody(message: { body: Body | null }): Promise<Uint8Array | null> {
  if (message.body === null) return null;
  const bytes = await message.body.bytes();
  message.body = Body.from(bytes);
  return bytes;
}

async function serialize(
  head: string,
  framing: Framing,
  body: Uint8Array | null,
): Promise<Uint8Array> {
  const sink = new MemorySink();
  await writeBody(sink, body ?? undefined, body === null ? NO_FRAMING : framing, head);
  return sink.bytes();
}

/**
 * dumpRequest returns `req`, an incoming request (as a server reads it),
 * in its HTTP/1.x wire form (Go's httputil.DumpRequest): the request line
 * with `requestURI()`, `Host` (unless empty), `Transfer-Encoding: chunked`
 * for a chunked body, then the header lines in the order and case they
 * arrived. With `body` the body follows, chunked again when it came
 * chunked (with its trailer fields); `req.body` is replayed afterwards.
 * A failing body rejects with its error.
 */
export async function dumpRequest(req: Request, options: DumpOptions = {}): Promise<Uint8Array> {
  const chunked = req.contentLength === -1;
  let head = `${req.method} ${req.requestURI()} HTTP/${req.protoMajor}.${req.protoMinor}\r\n`;
  if (req.host !== '') head += `Host: ${req.host}\r\n`;
  if (chunked) head += 'Transfer-Encoding: chunked\r\n';
  head += req.header.wireLines(INCOMING_EXCLUDE) + '\r\n';
  const body = options.body === true ? await replayBody(req) : null;
  const framing: Framing = chunked
    ? { kind: 'chunked', length: -1, trailer: req.trailer }
    : { kind: 'close', length: -1, trailer: null };
  return serialize(head, framing, body);
}

/**
 * dumpRequestOut returns the bytes our Transport sends for `req` (Go's
 * httputil.DumpRequestOut): the head exactly as `ClientConn` writes it,
 * framing lines included, and with `body` the framed body (`req.body` is
 * replayed afterwards). A request the writer refuses throws its
 * `ProtocolError` (e.g. `ERR_INVALID_METHOD`), as `roundTrip` would.
 */
export async function dumpRequestOut(req: Request, options: DumpOptions = {}): Promise<Uint8Array> {
  const { head, framing } = encodeRequestHead(req);
  const body = options.body === true ? await replayBody(req) : null;
  return serialize(head, framing, body);
}

/**
 * dumpResponse returns `res` in its wire form (Go's httputil.DumpResponse):
 * the head as our writer sends it (status line, header lines in order and
 * case, then the framing lines) and with `body` the framed body, chunked
 * with its trailer fields when `contentLength` is -1 on HTTP/1.1; a
 * response to HEAD or a 1xx, 204 or 304 has no body bytes. `res.body` is
 * replayed afterwards.
 */
export async function dumpResponse(res: Response, options: DumpOptions = {}): Promise<Uint8Array> {
  const { head, framing } = encodeResponseHead(res);
  const body = options.body === true ? await replayBody(res) : null;
  return serialize(head, framing, body);
}
