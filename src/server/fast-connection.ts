import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { formatAddress } from '../conn/server-conn.js';
import { clientGone } from '../errors.js';
import { ConnTimer } from '../io/conn-timer.js';
import { LazyAbort } from '../message/abort-watch.js';
import { parserLimits } from '../message/parser-limits.js';
import { Request, setRequestAbort } from '../message/request.js';
import { statusText } from '../message/status-text.js';
import { sendParts } from '../message/write-body.js';
import { Parser } from '../parser/parser.js';
import type { MessageHead } from '../parser/types.js';
import { requestChannel, responseChannel } from './channels.js';
import { type ConnectionConfig, ConnectionLoop } from './connection-loop.js';
import { errorResponse, lingerClose } from './error-response.js';
import type { FastExchange, FastPaths } from './fast-path.js';
import { httpDate } from './http-date.js';

const enum State {
  /** Reading requests: the parser is fed as bytes arrive. */
  IDLE,
  /** A request is being answered: what arrives is kept, not parsed. */
  BUSY,
  /** Closed, or handed to a ConnectionLoop. */
  DONE,
}

/**
 * FastConnection serves a connection for a handler with a fast path (see
 * fast-path.ts): our Parser reads the requests straight off the socket by
 * callbacks, one at a time, and each plain one is offered to the fast
 * path, which answers it with one write; a CONNECT is offered to the
 * handler's CONNECT path, which takes the connection with `tunnel()`. No
 * ServerConn, ResponseWriter or promise is made per request. The first request the fast path does not
 * take — one it declines, one with a body, an upgrade, `Expect`, HTTP/1.0,
 * a parse error, a head `Request.fromHead` refuses, a client that half
 * closed mid-request — goes with every byte not yet answered, and the
 * connection with it, to a ConnectionLoop, which reads it again and
 * answers as it answers any connection. Timeouts are the ConnectionLoop's:
 * the header timeout from the accept, then the idle timeout between
 * requests and the header timeout from a request's first byte.
 */
export class FastConnection implements FastExchange {
  /** Resolves once the socket closed or was hijacked (after a hand-over: once the ConnectionLoop is done). */
  readonly done: Promise<void>;
  readonly #socket: Socket;
  readonly #config: ConnectionConfig;
  readonly #paths: FastPaths;
  readonly #parser: Parser;
  readonly #headerTimer = new ConnTimer(); // each keeps its one Node timer, refreshed per request (ConnectionLoop's)
  readonly #idleTimer = new ConnTimer();
  readonly #remoteAddr: string;
  readonly #readAhead: number;
  #state = State.IDLE;
  #held: Buffer[] = []; // fed to the parser, not yet answered: the current request's bytes
  #unfed: Buffer[] = []; // received, not yet fed
  #unfedBytes = 0;
  #head: MessageHead | null = null; // the complete head of a request to serve
  #declined = false; // the head is not for the fast path
  #begun = false; // a byte of the current request arrived
  #idleTiming = false; // the idle timer runs, not the header timer
  #ended = false; // the client half-closed
  #paused = false; // we paused the socket (read-ahead)
  #abort: LazyAbort | null = null; // of the request being answered
  #loop: ConnectionLoop | null = null; // after a hand-over
  #resolveDone!: () => void;

  readonly #onData = (chunk: Buffer) => {
    if (this.#state === State.DONE) return;
    if (this.#state === State.IDLE && this.#unfed.length === 0) {
      this.#feed(chunk);
      return;
    }
    this.#unfed.push(chunk);
    this.#unfedBytes += chunk.length;
    if (this.#unfedBytes > this.#readAhead && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    }
  };
  readonly #onEnd = () => {
    this.#ended = true;
    if (this.#state === State.IDLE) this.#atEnd();
  };
  readonly #onClose = () => {
    this.#state = State.DONE;
    this.#disposeTimers();
    this.#abort?.abort(clientGone());
    this.#resolveDone();
  };
  readonly #onError = () => {}; // 'close' follows
  readonly #onDrain = () => this.#next();
  readonly #onHeaderTimeout = () => this.#headerTimedOut();
  readonly #onIdleTimeout = () => this.#close();

  constructor(socket: Socket, config: ConnectionConfig, paths: FastPaths) {
    this.#socket = socket;
    this.#config = config;
    this.#paths = paths;
    this.#remoteAddr = formatAddress(socket.remoteAddress, socket.remotePort);
    this.#readAhead = config.connOptions.readAhead ?? 65536;
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
    this.#parser = new Parser('request', this, parserLimits(config.connOptions));
  }

  /** serve reads and answers requests until the connection ends or is handed over; it never rejects. */
  serve(): Promise<void> {
    const socket = this.#socket;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onClose);
    socket.on('error', this.#onError);
    this.#headerTimer.start(this.#config.headerTimeout, this.#onHeaderTimeout);
    return this.done;
  }

  /** closeIfIdle closes the connection now if it waits between requests (server shutdown). */
  closeIfIdle(): void {
    if (this.#loop !== null) this.#loop.closeIfIdle();
    else if (this.#state === State.IDLE && !this.#begun) this.#close();
  }

  /** Parser callback: the first byte of a request. */
  onMessageBegin(): void {
    this.#begun = true;
    if (!this.#idleTiming) return; // the first request is timed from the accept
    this.#idleTiming = false;
    this.#idleTimer.stop();
    this.#headerTimer.start(this.#config.headerTimeout, this.#onHeaderTimeout);
  }

  /** Parser callback: a request head; one the fast path cannot take stops the parser. */
  onHeadersComplete(head: MessageHead): void {
    const connect = head.method === 'CONNECT';
    if (
      head.versionMajor !== 1 ||
      head.versionMinor !== 1 ||
      (connect
        ? this.#paths.connect === null
        : this.#paths.serve === null || !head.shouldKeepAlive || head.upgrade) ||
      head.chunked ||
      head.contentLength > 0 ||
      requestChannel.hasSubscribers ||
      responseChannel.hasSubscribers
    ) {
      this.#declined = true;
      this.#parser.pause();
      return;
    }
    this.#head = head;
  }

  /** Parser callback: the request is complete (it has no body; a CONNECT stops the parser itself): stop at the boundary. */
  onMessageComplete(): void {
    this.#parser.pause();
  }

  respond(status: number, lines: string, hasDate: boolean, body: Uint8Array): void {
    if (this.#state !== State.BUSY) return; // the client left
    const closing = this.#config.shuttingDown();
    let head = `HTTP/1.1 ${status} ${statusText(status)}\r\n${lines}`;
    if (!hasDate) head += `Date: ${httpDate()}\r\n`;
    if (closing) head += 'Connection: close\r\n';
    head += `Content-Length: ${body.byteLength}\r\n\r\n`;
    const socket = this.#socket;
    if (socket.destroyed) return; // its 'close' is on the way
    sendParts(socket, head, body.byteLength === 0 ? [] : [body], head.length + body.byteLength);
    this.#abort = null;
    this.#held.length = 0;
    this.#begun = false;
    if (closing) {
      this.#close();
      return;
    }
    // As the ConnectionLoop waits for its response's write: no next request while the client is not reading.
    if (socket.writableNeedDrain) socket.once('drain', this.#onDrain);
    else this.#next();
  }

  handover(prefetched?: unknown): void {
    if (this.#state === State.DONE) return;
    const socket = this.#socket;
    this.#release();
    const abort = this.#abort;
    // A round trip the fast path began ends when the client leaves, even before the
    // ConnectionLoop has read the request again and taken this abort as its own.
    if (abort !== null) socket.once('close', () => abort.abort(clientGone()));
    const leftover = concatBuffers(this.#held.concat(this.#unfed));
    this.#held = this.#unfed = [];
    // The ConnectionLoop reads on (resuming a socket paused here).
    const loop = new ConnectionLoop(socket, this.#config, leftover, { prefetched, abort });
    this.#loop = loop;
    // Done when the loop is: a connection it gives a handler to hijack (an upgrade) is done then,
    // though the handler, and so the loop's serve(), runs on with it.
    void loop.serve();
    void loop.done.then(this.#resolveDone);
  }

  tunnel(): { socket: Socket; head: Buffer } | null {
    if (this.#state !== State.BUSY) return null; // the client left
    const socket = this.#socket;
    this.#release();
    socket.pause(); // nobody reads it until its new owner does
    const head = concatBuffers(this.#unfed);
    this.#held = this.#unfed = [];
    this.#resolveDone(); // the server forgets a hijacked connection
    return { socket, head };
  }

  /** #feed parses `chunk` (IDLE): the request it completes is served; what follows it waits. */
  #feed(chunk: Buffer): void {
    this.#declined = false;
    let consumed: number;
    try {
      consumed = this.#parser.execute(chunk);
    } catch {
      // A parse error: the general path reads the request again and answers it.
      this.#unfed.unshift(chunk);
      this.handover();
      return;
    }
    this.#held.push(consumed === chunk.length ? chunk : chunk.subarray(0, consumed));
    if (consumed < chunk.length) {
      const rest = chunk.subarray(consumed);
      this.#unfed.unshift(rest);
      this.#unfedBytes += rest.length;
    }
    if (this.#declined) {
      this.handover();
      return;
    }
    const head = this.#head;
    if (head === null) return; // the head is not complete yet
    this.#head = null;
    this.#parser.resume();
    this.#headerTimer.stop();
    this.#idleTimer.stop(); // a request whose first byte came with its whole head
    this.#state = State.BUSY;
    this.#offer(head);
  }

  /** #offer gives a complete request to the fast path, or to the general path when it is not taken. */
  #offer(head: MessageHead): void {
    let req: Request;
    try {
      req = Request.fromHead(head, {
        remoteAddr: this.#remoteAddr,
        requireHost: this.#config.connOptions.requireHostHeader === true,
      });
    } catch {
      this.handover(); // refused (Host, Transfer-Encoding): the general path answers why
      return;
    }
    if (req.header.has('Expect')) {
      this.handover(); // 417 or 100-continue: the general path's
      return;
    }
    req.tls = this.#socket instanceof TLSSocket;
    const abort = new LazyAbort();
    setRequestAbort(req, abort);
    this.#abort = abort;
    const serve = req.method === 'CONNECT' ? this.#paths.connect! : this.#paths.serve!;
    if (!serve(req, this)) this.handover();
  }

  /** #next reads on after a response: the requests already received first. */
  #next(): void {
    if (this.#state !== State.BUSY) return;
    this.#state = State.IDLE;
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
    this.#idleTiming = true;
    this.#idleTimer.start(this.#config.idleTimeout, this.#onIdleTimeout);
    while (this.#state === State.IDLE && this.#unfed.length > 0) {
      const chunk = this.#unfed.shift()!;
      this.#unfedBytes -= chunk.length;
      this.#feed(chunk);
    }
    if (this.#state === State.IDLE && this.#ended) this.#atEnd();
  }

  /** #atEnd: the client half-closed while requests were being read. */
  #atEnd(): void {
    // Between requests: closed as the ConnectionLoop closes at the end of input; mid-request, it answers.
    if (this.#begun) this.handover();
    else this.#close();
  }

  #headerTimedOut(): void {
    if (this.#state !== State.IDLE) return;
    if (!this.#begun) {
      this.#close();
      return;
    }
    this.#state = State.DONE;
    this.#socket.write(errorResponse(408, ''), 'latin1');
    lingerClose(this.#socket);
  }

  /** #close ends the connection gracefully, as the ConnectionLoop does: FIN, then a short linger. */
  #close(): void {
    if (this.#state === State.DONE) return;
    this.#state = State.DONE;
    this.#disposeTimers();
    lingerClose(this.#socket);
  }

  #disposeTimers(): void {
    this.#headerTimer.dispose();
    this.#idleTimer.dispose();
  }

  /** #release lets go of the socket: DONE, timers and listeners gone. */
  #release(): void {
    this.#state = State.DONE;
    this.#disposeTimers();
    const socket = this.#socket;
    socket.off('data', this.#onData);
    socket.off('end', this.#onEnd);
    socket.off('close', this.#onClose);
    socket.off('error', this.#onError);
    socket.off('drain', this.#onDrain);
  }
}

function concatBuffers(buffers: Buffer[]): Buffer {
  return buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers);
}
