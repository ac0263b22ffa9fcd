import type { ServerConn } from '../conn/server-conn.js';
import { ErrAbortHandler, ProtocolError } from '../errors.js';
import type { Detached } from '../io/socket-reader.js';
import { hasToken } from '../message/token-list.js';
import { ADOPT, type AdoptingInit } from '../message/adopt.js';
import { appendTrustedLine, Header, isEmptyHeader } from '../message/header.js';
import type { Request } from '../message/request.js';
import { bodyAllowed, Response, type ResponseInit } from '../message/response.js';
import { statusText } from '../message/status-text.js';
import type { Body } from '../message/body.js';
import { LISTENABLE } from '../message/body-listener.js';
import { BodyPipe } from './body-pipe.js';
import { relayBody } from './body-relay.js';
import { httpDate } from './http-date.js';
import type { ResponseWriter } from './handler.js';
import { isClientGone } from './error-response.js';
import { requestBodyCloses } from './unread-body.js';
import {
  declaredTrailers,
  fillTrailers,
  hijackHead,
  parseLength,
  ResponseHeader,
} from './response-header.js';

/** Body bytes held back before the head goes out, to send a Content-Length when the handler finishes first (Go's bufferBeforeChunkingSize). */
const BUFFER_BEFORE_CHUNKING = 2048;
const FLUSH = Buffer.alloc(0);

/** SEND_BODY keys ServerResponseWriter's fast path for a body of known length (internal; see the method). */
export const SEND_BODY = Symbol('sendBody');

/** ResponseContext: what a ResponseWriter needs from the connection serving it. */
export interface ResponseContext {
  readonly conn: ServerConn;
  /** True once the server is shutting down: responses then close their connection. */
  shuttingDown(): boolean;
  /** Called by `hijack()` before the socket is handed over: the server forgets the connection. */
  onHijack(): void;
  /**
   * abort ends the connection under a response that cannot be completed:
   * what was written is still sent, then FIN — or, with `reset`, a TCP
   * RST (a body delimited by the close must not end cleanly).
   */
  abort(reset: boolean): void;
  errorLog(message: string): void;
}

/**
 * ServerResponseWriter is the ResponseWriter of `createServer`, on a
 * ServerConn (Go's http.response with its chunkWriter). Body bytes are
 * held back up to 2048 bytes: if the handler finishes first, the response
 * says `Content-Length`; once they overflow, or on `flush()`, the head goes
 * out and the body streams chunked (HTTP/1.1) or until close (HTTP/1.0). A
 * `Content-Length` set by the handler is honoured: writing past it rejects
 * with `ERR_CONTENT_LENGTH_MISMATCH`, and a shorter body leaves the message
 * incomplete and the connection closed. A response to HEAD sends no body
 * but states the length of what was written when it is known; 1xx, 204 and
 * 304 have no body (`write` rejects with `ERR_BODY_NOT_ALLOWED`). A `Date`
 * field is added when missing; `Content-Type` is never guessed. After a
 * `write` resolves its chunk is written to the socket (`flush` likewise for
 * everything before it), so a handler awaiting its writes never makes the
 * server buffer more than a chunk.
 *
 * The connection drives it with `finish()` once the handler returned and
 * `fail(err)` once it threw.
 */
export class ServerResponseWriter implements ResponseWriter {
  readonly #ctx: ResponseContext;
  readonly #req: Request;
  #header = new ResponseHeader();
  #status = 0; // the final status once writeHeader ran, else 0
  #head: Header | null = null; // the header as it was at writeHeader (Go's cw.header)
  #contentLength = -1; // declared by the handler, -1 none
  #written = 0; // body bytes accepted from the handler
  #buffer: Uint8Array[] = []; // held back before the head goes out
  #buffered = 0;
  #res: Response | null = null; // once committed: the response handed to the conn
  #pipe: BodyPipe | null = null; // once committed with a streamed body
  #relay: { stop(): void; reject(err: Error): void } | null = null; // a body given to [SEND_BODY]
  #sending: Promise<void> | null = null; // the conn's write of #res
  #sendError: Error | null = null;
  #committed = false;
  #delimitedByClose = false; // the body, once committed, ends with the connection
  #hijacked = false;
  #done = false; // the handler settled
  #expectContinue = false; // a 100 Continue is owed when the body is first read
  #closeAfterReply = false;

  constructor(ctx: ResponseContext, req: Request) {
    this.#ctx = ctx;
    this.#req = req;
  }

  header(): Header {
    return this.#header;
  }

  get headerWritten(): boolean {
    return this.#committed || this.#hijacked;
  }

  get status(): number {
    return this.#status;
  }

  get bytesWritten(): number {
    return this.#req.method === 'HEAD' ? 0 : this.#written;
  }

  writeHeader(status: number): void {
    if (!Number.isInteger(status) || status < 100 || status > 999) {
      throw new ProtocolError('ERR_INVALID_STATUS', `invalid status ${status}`);
    }
    if (this.#hijacked) {
      this.#ctx.errorLog('response.writeHeader on hijacked connection');
      return;
    }
    if (status < 200 && status !== 101) {
      this.#informational(status);
      return;
    }
    if (this.#status !== 0) {
      if (!this.#done) this.#ctx.errorLog(`superfluous response.writeHeader(${status})`);
      return;
    }
    this.#status = status;
    const head = this.#header.clone();
    this.#head = head;
    const declared = head.get('Content-Length');
    if (declared !== null) {
      this.#contentLength = parseLength(declared);
      if (this.#contentLength < 0) {
        this.#ctx.errorLog(`invalid Content-Length ${JSON.stringify(declared)}`);
        head.delete('Content-Length');
      }
    }
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    if (this.#hijacked) throw new ProtocolError('ERR_HIJACKED', 'write on a hijacked connection');
    if (this.#done)
      throw new ProtocolError('ERR_RESPONSE_DONE', 'write after the handler returned');
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (this.#status === 0) this.writeHeader(200);
    if (bytes.byteLength === 0) return;
    if (!bodyAllowed(this.#status)) {
      throw new ProtocolError('ERR_BODY_NOT_ALLOWED', `a ${this.#status} response has no body`);
    }
    const length = this.#contentLength;
    if (length >= 0 && this.#written + bytes.byteLength > length) {
      throw new ProtocolError(
        'ERR_CONTENT_LENGTH_MISMATCH',
        `write of ${bytes.byteLength} bytes past the declared Content-Length ${length}`,
      );
    }
    this.#written += bytes.byteLength;
    if (this.#sendError !== null) throw this.#sendError;
    const head = this.#req.method === 'HEAD';
    if (!this.#committed) {
      if (this.#buffered + bytes.byteLength <= BUFFER_BEFORE_CHUNKING) {
        // Copied, unless made here from a string: the caller may reuse its bytes.
        if (!head) this.#buffer.push(typeof chunk === 'string' ? bytes : Buffer.from(bytes));
        this.#buffered += bytes.byteLength;
        return;
      }
      this.#commit();
    }
    const pipe = this.#pipe;
    if (pipe === null) return; // HEAD: counted, not sent
    pipe.push(bytes);
    return pipe.written();
  }

  async flush(): Promise<void> {
    if (this.#hijacked) throw new ProtocolError('ERR_HIJACKED', 'flush on a hijacked connection');
    if (this.#status === 0) this.writeHeader(200);
    if (!this.#committed) this.#commit();
    const pipe = this.#pipe;
    if (pipe === null) return this.#sending!;
    pipe.push(FLUSH);
    return pipe.written();
  }

  /**
   * [SEND_BODY] sends `body`, a connection's Body, as the whole body by
   * callbacks (relayBody), when the head states its length and nothing is
   * in the way (nothing written, body allowed, not HEAD, no trailers);
   * `holdBack` keeps the first 2048 bytes back as `write` does. It resolves
   * once written (null) or the source failed (its read error), and rejects
   * when the write failed. Null, claiming nothing, when not in that state
   * or when `body` was made from user data.
   */
  [SEND_BODY](body: Body, holdBack: boolean): Promise<Error | null> | null {
    const length = this.#contentLength;
    if (this.#hijacked || this.#done || this.#committed || this.#written > 0) return null;
    if (length < 0 || !bodyAllowed(this.#status) || this.#req.method === 'HEAD') return null;
    if (!body[LISTENABLE]) return null;
    const head = this.#head!; // framing and trailers: the usual way
    if (head.has('Trailer') || head.has('Transfer-Encoding') || this.#header.prefixed.size > 0) {
      return null;
    }
    let settle!: { resolve(readErr: Error | null): void; reject(err: Error): void };
    const sent = new Promise<Error | null>((resolve, reject) => (settle = { resolve, reject }));
    const stop = relayBody(body, holdBack ? BUFFER_BEFORE_CHUNKING : 0, {
      start: (out) => this.#commit(out),
      end: () => void this.#sending!.then(() => settle.resolve(null), settle.reject),
      error: (err) => settle.resolve(err),
    });
    this.#written = length; // accepted: a later write past it is a mismatch
    this.#relay = { stop, reject: settle.reject };
    return sent;
  }

  hijack(): Detached {
    if (this.#hijacked) throw new ProtocolError('ERR_HIJACKED', 'connection already hijacked');
    const detached = this.#ctx.conn.hijack(); // throws ErrClosed once the connection is gone
    this.#hijacked = true;
    this.#ctx.onHijack();
    this.#pipe?.abort(new ProtocolError('ERR_HIJACKED', 'the connection was hijacked'));
    if (!this.#committed && this.#status !== 0) {
      // Go flushes a head set with writeHeader before hijacking (a 101, a 200 to CONNECT).
      detached.socket.write(hijackHead(this.#req, this.#status, this.#head!), 'latin1');
      for (const chunk of this.#buffer) detached.socket.write(chunk);
    }
    this.#buffer = [];
    return detached;
  }

  /**
   * expectContinue arms `Expect: 100-continue`: a `100 Continue` goes out
   * when the handler first reads the request body, unless the final head
   * went out first; then the connection closes after the response, since
   * the client may still be holding the body back.
   */
  expectContinue(): void {
    const body = this.#req.body;
    if (body === null) return;
    this.#expectContinue = true;
    body.onClaim = () => {
      if (this.#expectContinue) this.#informational(100);
    };
  }

  /**
   * finish completes the response once the handler returned: it sends the
   * head if it has not gone out (with a Content-Length when the whole body
   * was held back), ends the body with its trailers and resolves when it is
   * written. It resolves false when the connection must not serve another
   * request (closing, failed, hijacked); a failed write destroys it.
   */
  async finish(): Promise<boolean> {
    this.#done = true;
    if (this.#hijacked) return false;
    if (this.#status === 0) this.writeHeader(200);
    if (!this.#committed) this.#commit();
    // Trailer values are filled once the head is out, so only declared names are announced (Go).
    this.#pipe?.end(() => fillTrailers(this.#res!.trailer, this.#header));
    try {
      await this.#sending;
    } catch (err) {
      if (!this.#hijacked) this.#ctx.abort(this.#delimitedByClose);
      this.#logSendError(err as Error);
      return false;
    }
    if (requestBodyCloses(this.#req, this.#expectContinue)) this.#closeAfterReply = true;
    return !this.#closeAfterReply && !this.#hijacked;
  }

  /**
   * fail answers a handler that threw: `status` (default `500 Internal
   * Server Error`; the server passes 400, 413 or 431 when the handler threw
   * the request body's own error), closing the connection, when nothing
   * went out yet; else the connection is aborted so the client never sees
   * a truncated body end cleanly (FIN after an unfinished chunked or
   * Content-Length body, RST after a body delimited by close). `ErrAbortHandler` always aborts it, with an RST when
   * nothing went out. Resolves false.
   */
  async fail(err: unknown, status = 500): Promise<false> {
    this.#done = true;
    if (this.#hijacked) return false;
    if (this.#committed || err === ErrAbortHandler) {
      this.#pipe?.fail(err instanceof Error ? err : new Error(String(err)));
      this.#ctx.abort(this.#delimitedByClose || !this.#committed);
      return false;
    }
    const text = `${status} ${statusText(status)}\n`;
    this.#header = new ResponseHeader();
    this.#head = Header.from({
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
    });
    this.#status = status;
    this.#contentLength = -1;
    this.#buffer = this.#req.method === 'HEAD' ? [] : [Buffer.from(text, 'latin1')];
    this.#buffered = this.#written = text.length;
    this.#closeAfterReply = true;
    await this.finish();
    return false;
  }

  /** #informational sends a 1xx head now, with the header fields set so far (never to HTTP/1.0, never after the final head). */
  #informational(status: number): void {
    if (status === 100) this.#expectContinue = false;
    const req = this.#req;
    if (this.#committed || (req.protoMajor === 1 && req.protoMinor === 0)) return;
    this.#ctx.conn.writeInformational(req, status, this.#header).catch((err: unknown) => {
      this.#ctx.errorLog(`writing a ${status} response: ${(err as Error).message}`);
    });
  }

  /** #commit hands the head to the connection (Go's chunkWriter.writeHeader), with `streamed` as its body when given. */
  #commit(streamed?: Body): void {
    this.#committed = true;
    const req = this.#req;
    const status = this.#status;
    const header = this.#head!;
    const isHead = req.method === 'HEAD';
    const allowed = bodyAllowed(status);
    const declared = declaredTrailers(header);
    const trailers = !isEmptyHeader(declared) || !isEmptyHeader(this.#header.prefixed);
    const chunked = hasToken(header.values('Transfer-Encoding'), 'chunked');
    header.delete('Transfer-Encoding'); // framing is ours; only chunked is honoured
    let length = chunked ? -1 : this.#contentLength;
    if (length < 0 && this.#done && !trailers && !chunked && (!isHead || this.#buffered > 0)) {
      length = this.#buffered;
    }
    if (!allowed) length = 0; // RFC 9110 §15.4.5: Go drops a 304's Content-Length too

    const http10 = req.protoMajor === 1 && req.protoMinor === 0;
    let close =
      this.#closeAfterReply ||
      req.close ||
      (http10 && req.contentLength < 0) || // RFC 9112 §6.1: an HTTP/1.0 Transfer-Encoding is faulty framing
      (this.#expectContinue && req.body?.ended !== true) || // the client may hold the body back
      status === 101 ||
      this.#ctx.conn.upgraded || // not hijacked: what follows is not HTTP
      this.#ctx.shuttingDown() ||
      hasToken(header.values('Connection'), 'close') ||
      (this.#done && requestBodyCloses(this.#req, this.#expectContinue));
    if (http10 && !close) {
      // An HTTP/1.0 keep-alive request stays open only with a known length.
      if (isHead || length >= 0 || !allowed) {
        if (!header.has('Connection')) header.set('Connection', 'keep-alive');
      } else {
        close = true;
      }
    }
    this.#closeAfterReply = close;
    this.#expectContinue = false;
    if (!header.has('Date')) appendTrustedLine(header, 'Date', httpDate());

    let body: Uint8Array | BodyPipe | Body | null = null;
    this.#delimitedByClose = http10 && allowed && !isHead && length < 0;
    if (streamed !== undefined) {
      body = streamed;
    } else if (allowed && !isHead) {
      if (this.#done && length === this.#buffered && !trailers) {
        const buffer = this.#buffer;
        body =
          length === 0 ? null : buffer.length === 1 ? buffer[0]! : Buffer.concat(buffer, length);
      } else {
        const pipe = new BodyPipe();
        for (const chunk of this.#buffer) pipe.push(chunk);
        this.#pipe = pipe;
        body = pipe;
      }
    }
    this.#buffer = [];
    const res = new Response(status, {
      body,
      contentLength: length,
      close,
      protoMinor: http10 ? 0 : 1,
      [ADOPT]: { header, trailer: declared }, // both are this writer's own, not kept after
    } as AdoptingInit<ResponseInit>);
    this.#res = res;
    this.#sending = this.#ctx.conn.write(req, res);
    this.#sending.catch((err: unknown) => {
      this.#sendError ??= err as Error;
      this.#pipe?.abort(err as Error);
      this.#relay?.stop();
      this.#relay?.reject(err as Error);
    });
  }

  #logSendError(err: Error): void {
    if (!isClientGone(err)) {
      this.#ctx.errorLog(`writing the response to ${this.#req.remoteAddr}: ${err.message}`);
    }
  }
}
