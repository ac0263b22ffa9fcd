/**
 * The response-copying steps of the ReverseProxy, as Go's reverseproxy.go
 * has them: header and trailer copying, 1xx relaying, the body copy through
 * a pooled buffer, the flush latency for streams, closing an unread body.
 */
import type { Body } from '../message/body.js';
import { trimOWS } from '../message/token-list.js';
import { appendHeaderLines, type Header, headerPairs, isEmptyHeader } from '../message/header.js';
import type { Response } from '../message/response.js';
import { TrailerPrefix, type ResponseWriter } from '../server/handler.js';
import { SEND_BODY, ServerResponseWriter } from '../server/response-writer.js';

/** copyHeader adds every line of `src` to `dst`, keeping case and order; a bad line throws ERR_INVALID_HEADER. */
export function copyHeader(dst: Header, src: Header): void {
  if (dst === src) return;
  appendHeaderLines(dst, src);
}

/**
 * relayInformational forwards a backend 1xx to the client with the fields
 * set on `rw` so far, then puts `rw`'s header back as it was: the 1xx
 * fields never leak into the final response (Go clears the header). A
 * `100 Continue` is not relayed: the server sent its own when the proxy
 * began reading the body for the backend, so the backend's always comes late.
 */
export function relayInformational(rw: ResponseWriter, info: Response): void {
  if (rw.headerWritten || info.status === 100) return;
  const h = rw.header();
  const saved = h.clone();
  copyHeader(h, info.header);
  rw.writeHeader(info.status);
  for (const name of h.names()) h.delete(name);
  for (const [name, value] of saved) h.add(name, value);
  for (const name of saved.names()) if (!h.has(name)) h.set(name, null);
}

/** copyTrailers: announced trailers go by name; any others with TrailerPrefix (Go). */
export function copyTrailers(rw: ResponseWriter, res: Response, announced: number): void {
  const trailer = res.trailer;
  const lines = headerPairs(trailer);
  if (lines.length === 0) return;
  const allAnnounced = trailer.size === announced;
  for (const [name, value] of lines) {
    rw.header().add(allAnnounced ? name : TrailerPrefix + name, value);
  }
}

/**
 * copyThrough copies `body` to `write` through `buf`, as Go's copyBuffer
 * reads into its buffer: chunks that are ready at once are gathered in
 * `buf`, and what it holds is written (as a copy: `buf` is reused) when it
 * is full or as soon as the next chunk is not ready, so a slow stream is
 * never held back. A chunk that does not fit goes out by itself. Leaving
 * early (a failed write) abandons the rest of the body.
 */
export async function copyThrough(
  body: AsyncIterable<Uint8Array>,
  buf: Uint8Array,
  write: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  const it = body[Symbol.asyncIterator]();
  let used = 0;
  let done = false;
  const drain = async () => {
    if (used === 0) return;
    const held = Buffer.from(buf.subarray(0, used));
    used = 0;
    await write(held);
  };
  try {
    let next = it.next();
    for (;;) {
      if (used > 0 && !(await readyNow(next))) await drain();
      const r = await next;
      if (r.done === true) break;
      const chunk = r.value;
      if (chunk.length > buf.length - used) await drain();
      if (chunk.length >= buf.length) {
        await write(chunk);
      } else {
        buf.set(chunk, used);
        used += chunk.length;
      }
      next = it.next();
    }
    done = true;
    await drain();
  } finally {
    if (!done) await it.return?.()?.catch(() => undefined);
  }
}

/** readyNow reports whether `next` settles before the event loop turns (the chunk was already buffered). */
function readyNow(next: Promise<unknown>): Promise<boolean> {
  return Promise.race([
    next.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => setImmediate(resolve, false)),
  ]);
}

/**
 * sendDirect starts the fast path of a body copy: a body of known length,
 * not yet whole, without trailers, answered on the server's own
 * ResponseWriter, moves as the backend connection delivers it — views of
 * the received chunks, back-pressure by pause/resume, no promise per chunk
 * (see ServerResponseWriter[SEND_BODY]). Safe because nothing in between
 * needs the chunks one by one: the length frames the response, so there is
 * no re-chunking and no trailer; each chunk is written as it arrives, which
 * any flush interval allows; with latency 0 the first 2048 bytes are held
 * back as `write` holds them. It resolves null once written, or with the
 * backend body's error; it rejects when the client write failed. Null when
 * the body must be copied chunk by chunk.
 */
export function sendDirect(
  rw: ResponseWriter,
  res: Response,
  latency: number,
): Promise<Error | null> | null {
  const body = res.body;
  if (
    body === null ||
    body.ended ||
    body.consumed || // a proxy hook began reading it: the copy path fails it cleanly
    res.contentLength < 0 ||
    !isEmptyHeader(res.trailer)
  ) {
    return null;
  }
  return rw instanceof ServerResponseWriter ? rw[SEND_BODY](body, latency === 0) : null;
}

/** flushLatency: SSE and bodies of unknown length flush after every write (Go's flushInterval). */
export function flushLatency(res: Response, configured: number): number {
  if (res.contentLength === -1) return -1;
  const contentType = res.header.get('Content-Type');
  // Shorter than `text/event-stream`: no need to look closer (most responses).
  if (contentType === null || contentType.length < SSE.length) return configured;
  const base = trimOWS(contentType.split(';', 1)[0]!).toLowerCase();
  return base === SSE ? -1 : configured;
}

const SSE = 'text/event-stream';

/**
 * closeBody abandons a body the proxy will not copy without reading it
 * (Go's res.Body.Close): a Transport closes its connection; a body made
 * from an endless source is never drained.
 */
export async function closeBody(body: Body | null): Promise<void> {
  if (body === null || body.consumed) return;
  await body[Symbol.asyncIterator]()
    .return?.()
    .catch(() => undefined);
}
