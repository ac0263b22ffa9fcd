import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { ConnOptions } from '../conn/conn-options.js';
import { newServerConn, type ServerConn } from '../conn/server-conn.js';
import {
  clientGone,
  ErrAbortHandler,
  ErrClosed,
  ErrPersistEOF,
  ParseError,
  ProtocolError,
} from '../errors.js';
import { hasToken } from '../message/token-list.js';
import { LazyAbort } from '../message/abort-watch.js';
import { type IncomingRequest, setRequestAbort } from '../message/request.js';
import { requestChannel, responseChannel } from './channels.js';
import { errorResponse, lingerClose } from './error-response.js';
import { setPrefetched } from './fast-path.js';
import type { Handler } from './handler.js';
import { type ResponseContext, ServerResponseWriter } from './response-writer.js';
import { ConnTimer } from '../io/conn-timer.js';

const EMPTY = Buffer.alloc(0);

/** ConnectionConfig: the server's resolved options, shared by its connections. */
export interface ConnectionConfig {
  readonly handler: Handler;
  /** The limits of each connection's ServerConn (maxHeaderBytes, lenient, readAhead, ...). */
  readonly connOptions: ConnOptions;
  readonly headerTimeout: number;
  readonly idleTimeout: number;
  readonly bodyTimeout: number;
  errorLog(message: string): void;
  /** True once the server is shutting down. */
  shuttingDown(): boolean;
}

const enum State {
  /** Reading a request head (`#begun` once its first byte arrived); for the first one the header timeout runs since the accept. */
  IDLE,
  /** A handler runs. */
  ACTIVE,
  /** Closed, closing or hijacked: nothing more is read. */
  DONE,
}

/** HandedOver: a request a FastConnection gives the general path: what its fast path did, and its abort. */
export interface HandedOver {
  /** For `takePrefetched` (undefined: nothing was done). */
  prefetched: unknown;
  /** The request's abort on the fast path, kept by the request read again; null when none was made. */
  abort: LazyAbort | null;
}

/**
 * ConnectionLoop serves one connection for a Server (Go's http.conn): it
 * reads requests from a ServerConn one at a time and runs the handler for
 * each with a ServerResponseWriter, reading the next request only once the
 * response is written — so after an Upgrade or CONNECT request nothing is
 * read before the handler hijacks. Bad requests get an error status and
 * the connection is closed; so do timeouts (408 once a head has begun).
 * `done` resolves once the socket closed or was hijacked.
 */
export class ConnectionLoop {
  /** Resolves once the socket closed or was hijacked: the server forgets the connection then. */
  readonly done: Promise<void>;
  readonly #socket: Socket;
  readonly #conn: ServerConn;
  readonly #config: ConnectionConfig;
  readonly #headerTimer = new ConnTimer();
  readonly #idleTimer = new ConnTimer();
  readonly #bodyTimer = new ConnTimer();
  readonly #ctx: ResponseContext;
  #state = State.IDLE;
  #begun = false; // a byte of the next request arrived
  #idleTiming = false; // waiting for the next request: #idleTimer runs, not #headerTimer
  #handlerHijacked = false;
  #request: { req: IncomingRequest; abort: LazyAbort } | null = null; // being answered
  #handedOver: HandedOver | null; // for the first request, from a FastConnection
  #resolveDone!: () => void;

  readonly #onClose = () => {
    this.#state = State.DONE;
    this.#disposeTimers();
    this.#request?.abort.abort(clientGone());
    this.#resolveDone();
  };
  readonly #onError = () => {}; // socket errors reach the conn's reader; this keeps them from crashing
  readonly #onData = () => this.#bodyTimer.refresh();

  /**
   * `head` holds bytes already read from the socket, and `handedOver` what
   * a fast path did for the first request in them (see fast-path.ts).
   */
  constructor(
    socket: Socket,
    config: ConnectionConfig,
    head?: Uint8Array,
    handedOver: HandedOver | null = null,
  ) {
    this.#socket = socket;
    this.#config = config;
    this.#handedOver = handedOver;
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
    this.#conn = newServerConn(socket, head, {
      ...config.connOptions,
      onMessageBegin: () => this.#onMessageBegin(),
    });
    socket.on('close', this.#onClose);
    socket.on('error', this.#onError);
    this.#ctx = {
      conn: this.#conn,
      shuttingDown: () => config.shuttingDown(),
      onHijack: () => this.#hijacked(),
      abort: (reset) => this.#abort(reset),
      errorLog: (message) => config.errorLog(message),
    };
  }

  /** serve reads and answers requests until the connection ends; it never rejects. */
  async serve(): Promise<void> {
    this.#headerTimer.start(this.#config.headerTimeout, () => this.#headerTimedOut());
    while (this.#state !== State.DONE) {
      let req: IncomingRequest;
      try {
        req = await this.#conn.read();
      } catch (err) {
        this.#readFailed(err as Error);
        return;
      }
      this.#headerTimer.stop();
      this.#idleTimer.stop(); // a request whose first byte came with its whole head
      this.#state = State.ACTIVE;
      this.#begun = false;
      const again = await this.#serveRequest(req);
      if (!again || this.#config.shuttingDown()) {
        this.#close();
        return;
      }
      this.#state = State.IDLE;
      this.#idleTiming = true;
      this.#idleTimer.start(this.#config.idleTimeout, () => this.#close());
    }
  }

  /** closeIfIdle closes the connection now if it waits between requests (server shutdown). */
  closeIfIdle(): void {
    if (this.#state === State.IDLE && !this.#begun) this.#close();
  }

  #onMessageBegin(): void {
    this.#begun = true;
    // The first request's head is timed from the accept (Go's ReadHeaderTimeout); later ones from their first byte.
    if (!this.#idleTiming) return;
    this.#idleTiming = false;
    this.#idleTimer.stop();
    this.#headerTimer.start(this.#config.headerTimeout, () => this.#headerTimedOut());
  }

  async #serveRequest(req: IncomingRequest): Promise<boolean> {
    req.tls = this.#socket instanceof TLSSocket;
    const handedOver = this.#handedOver;
    this.#handedOver = null;
    // Its AbortSignal is made only if someone reads req.signal. A request handed over keeps
    // the fast path's: what that path began for it ends when the client leaves, as this does.
    const abort = handedOver?.abort ?? new LazyAbort();
    setRequestAbort(req, abort);
    if (handedOver?.prefetched !== undefined) setPrefetched(req, handedOver.prefetched);
    this.#request = { req, abort };
    let timingBody = false; // the body timer runs, refreshed by each chunk
    try {
      if (req.protoMajor !== 1) {
        this.#reject(505, 'unsupported protocol version');
        return false;
      }
      if (req.contentLength > Number.MAX_SAFE_INTEGER) {
        // RFC 9110 §8.6: a length too large to count exactly is refused, never rounded.
        this.#reject(413, 'Content-Length too large');
        return false;
      }
      const early = this.#conn.readError;
      const refused = early === null ? 0 : readErrorStatus(early);
      if (refused !== 0) {
        // The head was read but its body is refused already: a bad coding, too large.
        this.#reject(refused, (early as ProtocolError).code);
        return false;
      }
      const rw = new ServerResponseWriter(this.#ctx, req);
      if (req.header.has('Expect')) {
        const expect = req.header.values('Expect');
        // RFC 9110 §10.1.1: an expectation we do not know gets 417.
        if (!hasToken(expect, '100-continue')) {
          this.#reject(417, 'unsupported Expect');
          return false;
        }
        if (req.protoMinor >= 1 && req.contentLength !== 0) rw.expectContinue();
      }
      if (req.body !== null && !req.body.ended) {
        this.#bodyTimer.start(this.#config.bodyTimeout, () => this.#bodyTimedOut(req));
        this.#socket.on('data', this.#onData); // only while a body is read: one listener less per chunk otherwise
        timingBody = true;
      }
      const socket = this.#socket;
      if (requestChannel.hasSubscribers)
        requestChannel.publish({ request: req, response: rw, socket });
      let again: boolean;
      let error: unknown = null;
      try {
        await this.#config.handler.serveHTTP(rw, req);
        again = await rw.finish();
      } catch (err) {
        error = err;
        // The handler passed on the request body's own error (malformed, too large): the client's fault.
        const status = err === this.#conn.readError ? readErrorStatus(err as Error) : 0;
        if (status === 0 && err !== ErrAbortHandler) {
          this.#config.errorLog(`handler error serving ${req.remoteAddr}: ${describe(err)}`);
        }
        again = await rw.fail(err, status === 0 ? 500 : status);
      }
      if (responseChannel.hasSubscribers) {
        responseChannel.publish({ request: req, response: rw, socket, error });
      }
      return again && this.#state !== State.DONE;
    } finally {
      if (timingBody) {
        this.#bodyTimer.stop();
        this.#socket.off('data', this.#onData);
      }
      this.#request = null;
    }
  }

  #readFailed(err: Error): void {
    if (err === ErrClosed || this.#state === State.DONE) return; // we closed it, or it is gone
    if (err === ErrPersistEOF) {
      this.#close();
      return;
    }
    const status = readErrorStatus(err);
    if (status !== 0) {
      this.#reject(status, (err as ProtocolError).code);
      return;
    }
    this.#destroy(); // a socket error
  }

  #headerTimedOut(): void {
    if (this.#begun) this.#reject(408, '');
    else this.#close();
  }

  #bodyTimedOut(req: IncomingRequest): void {
    const body = req.body;
    if (body === null || body.ended) return;
    this.#config.errorLog(`request body from ${req.remoteAddr} timed out`);
    body.fail(new ProtocolError('ERR_BODY_TIMEOUT', 'request body timed out')); // before the conn fails it with ErrClosed
    this.#destroy();
  }

  /** #reject answers with an error status and closes the connection (Go's bad-request path). */
  #reject(status: number, detail: string): void {
    const socket = this.#takeSocket();
    if (socket === null) return;
    socket.write(errorResponse(status, detail), 'latin1');
    lingerClose(socket);
  }

  /** #close ends the connection gracefully: FIN, then destroy after a short linger. */
  #close(): void {
    const socket = this.#takeSocket();
    if (socket !== null) lingerClose(socket);
  }

  #destroy(): void {
    if (this.#handlerHijacked) return;
    this.#takeSocket();
    this.#socket.destroy();
  }

  #abort(reset: boolean): void {
    if (this.#handlerHijacked) return;
    if (!reset) {
      this.#close(); // FIN after what was written: the unfinished message reads as truncated
      return;
    }
    const socket = this.#takeSocket() ?? this.#socket;
    if (socket.destroyed) return;
    // What was written reaches the client first; then the RST.
    socket.write(EMPTY, () => socket.resetAndDestroy());
  }

  /** #takeSocket stops the ServerConn (a pending read fails with ErrClosed) and returns the socket, or null once done. */
  #takeSocket(): Socket | null {
    if (this.#state === State.DONE) return null;
    this.#state = State.DONE;
    this.#disposeTimers();
    this.#socket.off('data', this.#onData);
    try {
      return this.#conn.hijack().socket;
    } catch {
      return this.#socket; // the conn already let go of it (a response delimited by close)
    }
  }

  #disposeTimers(): void {
    this.#headerTimer.dispose();
    this.#idleTimer.dispose();
    this.#bodyTimer.dispose();
  }

  /** #hijacked: the handler took the socket; remove everything of ours from it. */
  #hijacked(): void {
    this.#handlerHijacked = true;
    this.#state = State.DONE;
    this.#disposeTimers();
    this.#socket.off('close', this.#onClose);
    this.#socket.off('error', this.#onError);
    this.#socket.off('data', this.#onData);
    this.#resolveDone();
  }
}

/**
 * readErrorStatus maps an error reading a request to the status answering
 * it, or 0 for one with no answer (a socket error, the conn closed).
 */
function readErrorStatus(err: Error): number {
  if (!(err instanceof ParseError)) {
    switch (err instanceof ProtocolError ? err.code : undefined) {
      case 'ERR_BODY_TOO_LARGE':
        return 413;
      case 'ERR_UNSUPPORTED_TRANSFER_ENCODING':
        return 501; // Go's unsupportedTEError
      case 'ERR_MISSING_HOST':
      case 'ERR_DUPLICATE_HOST':
      case 'ERR_INVALID_HOST':
        return 400; // RFC 9112 §3.2
      default:
        return 0;
    }
  }
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'HPE_REQUEST_LINE_OVERFLOW':
      return 414;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413; // Node's answer (CVE-2024-22019)
    case 'HPE_INVALID_TRANSFER_ENCODING':
      // RFC 9112 §6.1: 501 for a coding we do not implement (Go too); a
      // malformed or conflicting Transfer-Encoding is a bad request (§6.3).
      return err.unsupported ? 501 : 400;
    case 'HPE_INVALID_VERSION':
      // llhttp uses one code for both: 505 for a version we do not speak, 400 for a malformed one (Go too).
      return err.unsupported ? 505 : 400;
    case 'HPE_PAUSED_H2_UPGRADE':
      return 505;
    default:
      return 400;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
