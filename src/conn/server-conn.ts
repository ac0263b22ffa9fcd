import type { Socket } from 'node:net';
import { ErrClosed, ErrPersistEOF, ErrPipeline, ProtocolError } from '../errors.js';
import { Pipeline } from '../io/pipeline.js';
import type { Detached } from '../io/socket-reader.js';
import { WriteBatch } from '../io/write-batch.js';
import type { Header } from '../message/header.js';
import { expectRequest, expectResponse } from '../message/expect-class.js';
import { type IncomingRequest, Request } from '../message/request.js';
import { Response } from '../message/response.js';
import { encodeResponseHead, sendResponse } from '../message/write-message.js';
import type { ConnOptions } from './conn-options.js';
import { ConnCore } from './conn-core.js';

/** ServerReadOptions for `ServerConn.read`. */
export interface ServerReadOptions {
  /**
   * Aborts the read: it rejects with `signal.reason`. Before a byte of the
   * request arrived nothing is consumed and the conn stays usable; in the
   * middle of a request the conn fails (sticky) and its socket is closed.
   */
  signal?: AbortSignal;
}

/**
 * ServerConn is Go's httputil.ServerConn on a connected socket: it reads
 * requests and writes their responses in order. Requests may be read ahead
 * of responses; a response waits until every earlier one was written.
 * Errors are sticky per side.
 */
export class ServerConn<S extends Socket = Socket> {
  readonly #core: ConnCore<S>;
  readonly #out: WriteBatch; // responses written in one run leave in one socket write
  readonly #pipe = new Pipeline();
  readonly #pipereq = new Map<Request, number>(); // read, not yet answered
  #turnNow = -1; // the request id whose response turn was taken without waiting
  #turns: Map<number, Promise<void>> | null = null; // response turns waited for, by request id
  readonly #remoteAddr: string;
  readonly #requireHost: boolean;
  #nread = 0;
  #nwritten = 0;

  /** Use `newServerConn`. */
  constructor(socket: S, head: Uint8Array | undefined, options: ConnOptions) {
    this.#remoteAddr = formatAddress(socket.remoteAddress, socket.remotePort);
    this.#requireHost = options.requireHostHeader ?? false;
    this.#core = new ConnCore(socket, head, 'request', options);
    this.#out = new WriteBatch(socket);
  }

  /**
   * read reads the next request. An unread previous request body is read to
   * its end first. After a request with `close` set (HTTP/1.0 without
   * keep-alive, `Connection: close`), or once the peer closed cleanly
   * between requests, read throws ErrPersistEOF; it never waits for
   * unanswered requests. A peer closing mid-request gives a ParseError
   * (HPE_INVALID_EOF_STATE); malformed input a ParseError with llhttp's code;
   * a head to refuse the ProtocolError of `Request.fromHead` (two Host
   * lines, a malformed Host, a Transfer-Encoding other than `chunked`).
   */
  async read(options: ServerReadOptions = {}): Promise<IncomingRequest> {
    const signal = options.signal;
    signal?.throwIfAborted();
    const id = this.#pipe.next();
    let req: IncomingRequest | null = null;
    const turn = this.#pipe.startRequest(id);
    if (turn !== undefined) await (signal === undefined ? turn : abortable(turn, signal));
    try {
      signal?.throwIfAborted();
      if (this.#core.writeErr !== null) throw this.#core.writeErr; // no point reading if we cannot answer
      this.#core.readErr ??= this.#core.messages.error; // persist.go: a failed body fails later reads
      if (this.#core.readErr !== null) throw this.#core.readErr;
      if (this.#core.socket === null) throw ErrClosed;
      let cancelled = false;
      const onAbort = () => {
        const reason = signal!.reason as Error;
        cancelled = this.#core.messages.cancelHead(reason);
        if (!cancelled) this.#core.fail(reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const { head, body } = await this.#core.messages.next();
        req = Request.fromHead(head, {
          body,
          remoteAddr: this.#remoteAddr,
          requireHost: this.#requireHost,
        }) as IncomingRequest;
      } catch (err) {
        if (cancelled) throw err; // nothing was read: not sticky
        this.#core.readErr ??= err as Error;
        throw this.#core.readErr;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      this.#nread++;
      if (req.close) this.#core.readErr = ErrPersistEOF;
      return req;
    } finally {
      this.#pipe.endRequest(id);
      if (req === null) this.#pipe.skipResponse(id);
      else this.#pipereq.set(req, id);
    }
  }

  /**
   * write writes `res` as the response to `req`, which this conn must have
   * read and not yet answered (else ErrPipeline); it waits until every
   * earlier request was answered. A response with `close` set makes later
   * reads throw ErrPersistEOF; a body delimited by the end of the
   * connection (HTTP/1.0 peer, unknown length) ends the socket after it.
   */
  async write(req: Request, res: Response): Promise<void> {
    expectRequest(req, 'ServerConn.write');
    expectResponse(res, 'ServerConn.write');
    const id = this.#pipereq.get(req);
    if (id === undefined) throw ErrPipeline;
    this.#pipereq.delete(req);
    const turn = this.#turn(id);
    if (turn !== undefined) await turn;
    try {
      const socket = this.#core.socket;
      if (this.#core.writeErr !== null) throw this.#core.writeErr;
      if (socket === null) throw ErrClosed;
      if (this.#nread <= this.#nwritten) throw ErrPipeline;
      if (res.close) this.#core.readErr ??= ErrPersistEOF; // pipelined unread requests are lost
      let delimitedByClose: boolean;
      try {
        const { encoded, pending } = sendResponse(this.#out, res, { request: req });
        if (pending !== null) await pending;
        delimitedByClose = encoded.framing.kind === 'close';
      } catch (err) {
        this.#core.writeErr = err as Error;
        throw err;
      }
      this.#nwritten++;
      if (delimitedByClose) {
        // RFC 9112 §6.3: only the end of the connection ends this body
        this.#core.readErr ??= ErrPersistEOF;
        this.#core.writeErr = ErrPersistEOF;
        this.close();
      }
    } finally {
      if (this.#turnNow === id) this.#turnNow = -1;
      else this.#turns?.delete(id);
      this.#pipe.endResponse(id);
    }
  }

  /**
   * writeInformational writes a 1xx head (not 101) with the fields of
   * `header` for `req`, which this conn must have read and not yet answered
   * (else ErrPipeline), in `req`'s turn, before its final response: `write`
   * for `req` may follow, and so may more informational heads. Framing
   * fields in `header` are not sent.
   */
  async writeInformational(req: Request, status: number, header?: Header): Promise<void> {
    const id = this.#pipereq.get(req);
    if (id === undefined) throw ErrPipeline;
    if (!Number.isInteger(status) || status < 100 || status > 199 || status === 101) {
      throw new ProtocolError('ERR_INVALID_STATUS', `invalid informational status ${status}`);
    }
    const res = new Response(status, { header, protoMinor: req.protoMinor === 0 ? 0 : 1 });
    const { head } = encodeResponseHead(res, { request: req });
    const turn = this.#turn(id);
    if (turn !== undefined) await turn;
    if (this.#core.writeErr !== null) throw this.#core.writeErr;
    if (this.#core.socket === null) throw ErrClosed;
    this.#out.write(Buffer.from(head, 'latin1')); // a few bytes: the final response's write waits for 'drain' if needed
  }

  /**
   * readError returns the read side's sticky error, or null: a request
   * whose head was read may already have a failed body (llhttp rejects an
   * unsupported Transfer-Encoding right after the head; a body may be too
   * large). A failed body comes first, even after a closing request.
   */
  get readError(): Error | null {
    return this.#core.messages.error ?? this.#core.readErr;
  }

  /** upgraded reports whether the last request read switched protocols (Upgrade, CONNECT): the rest of the stream is not HTTP. */
  get upgraded(): boolean {
    return this.#core.messages.upgraded;
  }

  /** pending returns the number of requests read and not yet answered. */
  pending(): number {
    return this.#nread - this.#nwritten;
  }

  /**
   * hijack detaches the conn from its socket and returns the socket with
   * every byte read from it but not consumed (after an Upgrade or CONNECT
   * request: the first tunnel bytes). Later calls throw ErrClosed.
   */
  hijack(): Detached<S> {
    this.#out.flush(); // what was written goes before whatever the new owner writes
    return this.#core.hijack();
  }

  /** close hijacks the connection and ends the socket; closing twice does nothing. */
  close(): void {
    this.#out.flush();
    this.#core.close();
  }

  /**
   * #turn returns a promise for the response turn of request `id`, or
   * undefined when it is that turn now; `write` and `writeInformational`
   * share it, keeping their order.
   */
  #turn(id: number): Promise<void> | undefined {
    if (id === this.#turnNow) return undefined;
    const known = this.#turns?.get(id);
    if (known !== undefined) return known;
    const turn = this.#pipe.startResponse(id);
    if (turn === undefined) this.#turnNow = id;
    else (this.#turns ??= new Map()).set(id, turn);
    return turn;
  }
}

/** newServerConn returns a ServerConn on the connected `socket`; `head` holds bytes already read from it. */
export function newServerConn<S extends Socket>(
  socket: S,
  head?: Uint8Array,
  options: ConnOptions = {},
): ServerConn<S> {
  return new ServerConn(socket, head, options);
}

/** formatAddress formats a peer address as `Request.remoteAddr`: `host:port`, `[v6]:port`, '' when unknown. */
export function formatAddress(address: string | undefined, port: number | undefined): string {
  if (address === undefined) return '';
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** abortable resolves with `turn`, or rejects with `signal.reason` if it aborts first. */
function abortable(turn: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    void turn.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
