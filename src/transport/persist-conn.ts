import type { Socket } from 'node:net';
import {
  type ClientConn,
  newClientConn,
  newProxyClientConn,
  WRITTEN,
} from '../conn/client-conn.js';
import type { ConnOptions } from '../conn/conn-options.js';
import type { Detached } from '../io/socket-reader.js';
import { ConnTimer } from '../io/conn-timer.js';
import type { Request } from '../message/request.js';
import { RawReader } from './raw-reader.js';

/**
 * PersistConn is one connection of a Transport's pool (Go's persistConn): a
 * ClientConn on a socket the transport dialed and owns. While idle it
 * watches the socket: the peer closing it, an error, a byte arriving
 * unasked (Go: "unsolicited response received on idle HTTP channel") or
 * the idle timer closes it. While busy it counts the bytes of the
 * exchange, so that a failure can be told apart from a response that had
 * begun. `onClosed` is called once, when it leaves the pool for good
 * (closed or handed off after an upgrade). With `absoluteForm` it talks to
 * a proxy: request targets go out in absolute form.
 */
export class PersistConn {
  readonly key: string;
  readonly socket: Socket;
  /** True once it was taken from the idle pool: a failure may then be the server closing an idle conn (Go's isReused). */
  reused = false;
  /**
   * preferRaw: the raw exchange should take this connection's next bodiless
   * request. False after an answer the raw reader handed to a ClientConn
   * (chunked, streaming, large), true again after a whole one of known
   * length: a backend that always streams keeps its ClientConn instead of
   * making one per request.
   */
  preferRaw = true;
  readonly #onClosed: (pc: PersistConn) => void;
  readonly #options: ConnOptions;
  readonly #absoluteForm: boolean;
  #conn: ClientConn | null = null; // made when the general path first uses the connection
  #raw: RawReader | null = null; // reads raw exchanges while there is no #conn
  #idle = false;
  readonly #idleTimer = new ConnTimer();
  #lost = false; // the peer ended the socket, or it failed
  #released = false; // gone from the pool: closed or handed off
  #received = 0; // bytes read since begin()
  #writtenAt = 0; // socket.bytesWritten at begin()

  readonly #onData = (chunk: Buffer) => {
    if (this.#idle) {
      this.close();
      return;
    }
    this.#received += chunk.length;
    if (this.#conn === null) this.#raw?.data(chunk);
  };
  readonly #onIdleTimeout = () => this.close();
  readonly #onEnd = () => this.#onLost(null);
  readonly #onError = (err: Error) => this.#onLost(err);

  constructor(
    key: string,
    socket: Socket,
    options: ConnOptions,
    onClosed: (pc: PersistConn) => void,
    absoluteForm = false,
  ) {
    this.key = key;
    this.socket = socket;
    this.#onClosed = onClosed;
    this.#options = options;
    this.#absoluteForm = absoluteForm;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onEnd);
    socket.on('error', this.#onError);
  }

  /** conn is the ClientConn on the socket, made on first use (the general path). */
  get conn(): ClientConn {
    return (this.#conn ??= this.#newConn(undefined));
  }

  /**
   * raw returns the reader for a raw exchange on this connection (which
   * must be idle and alive): a ClientConn made before is taken off the
   * socket first, with nothing left unread.
   */
  raw(): RawReader {
    const conn = this.#conn;
    if (conn !== null) {
      this.#conn = null;
      conn.hijack(); // pauses the socket: it flows again for #onData
      this.socket.resume();
    }
    return (this.#raw ??= new RawReader(this.#options));
  }

  /**
   * adopt makes the ClientConn that reads on from a raw exchange's
   * response: `bytes` are that response's bytes so far, and `req`, already
   * written, is the request it answers.
   */
  adopt(req: Request, bytes: Buffer): ClientConn {
    this.#raw = null; // its parser stopped mid-response
    this.preferRaw = false;
    const conn = this.#newConn(bytes);
    conn[WRITTEN](req);
    this.#conn = conn;
    return conn;
  }

  /** alive reports whether the connection may carry another request. */
  get alive(): boolean {
    const socket = this.socket;
    return (
      !this.#released &&
      !this.#lost &&
      (this.#conn === null || this.#conn.buffered === 0) && // a stale response arrived with the previous one (Go's readLoop peek)
      !socket.destroyed &&
      !socket.readableEnded &&
      socket.writable
    );
  }

  /**
   * lost reports whether the peer ended the socket or it failed while in
   * the pool: a failure was then the connection's, not the request's.
   * Closing it ourselves does not count.
   */
  get lost(): boolean {
    return this.#lost;
  }

  /** begin marks the start of an exchange for `responseStarted` and `nothingWritten`. */
  begin(): void {
    this.#received = 0;
    this.#writtenAt = this.socket.bytesWritten;
  }

  /** responseStarted reports whether a byte arrived since `begin()`. */
  get responseStarted(): boolean {
    return this.#received > 0;
  }

  /**
   * nothingWritten reports whether no byte was handed to the socket since
   * `begin()` (Go's nothingWrittenError). Bytes queued in the socket count
   * as written: they may have left.
   */
  get nothingWritten(): boolean {
    return this.socket.bytesWritten === this.#writtenAt;
  }

  /**
   * idle parks the connection: watched, closed after `timeoutMs` (0: never)
   * with an unref'd timer, and its socket unref'd: idle connections alone
   * do not keep the process alive (as undici's).
   */
  idle(timeoutMs: number): void {
    this.#idle = true;
    this.socket.unref();
    this.#idleTimer.start(timeoutMs, this.#onIdleTimeout);
  }

  /**
   * wake takes the connection out of the idle pool for a request. It
   * returns false, having closed it, when it is no longer usable.
   */
  wake(): boolean {
    this.#idle = false;
    this.#idleTimer.stop();
    this.socket.ref();
    if (!this.alive) {
      this.close();
      return false;
    }
    this.reused = true;
    return true;
  }

  /** close destroys the socket (Go closes the conn; it does not linger) and leaves the pool. */
  close(): void {
    this.#idle = false;
    this.#idleTimer.dispose();
    if (!this.#released) {
      this.#conn?.hijack();
      this.#raw?.abandon();
      this.#release();
      this.socket.on('error', noop); // a destroyed socket may still report a reset
    }
    this.socket.destroy();
  }

  /**
   * hijack hands the socket over after a protocol switch: the listeners
   * added here are removed and the socket leaves the pool. `close()` still
   * destroys it, for a hand-off nobody takes.
   */
  hijack(): Detached {
    const detached = this.#conn!.hijack(); // only a ClientConn reads a 101
    this.#release();
    return detached;
  }

  #release(): void {
    this.#released = true;
    this.#idleTimer.dispose();
    const socket = this.socket;
    socket.off('data', this.#onData);
    socket.off('end', this.#onEnd);
    socket.off('close', this.#onEnd);
    socket.off('error', this.#onError);
    this.#onClosed(this);
  }

  /** #onLost: the peer ended the socket (`err` null) or it failed. */
  #onLost(err: Error | null): void {
    this.#lost = true;
    if (this.#idle) this.close();
    else if (this.#conn === null) this.#raw?.lost(err);
  }

  #newConn(head: Buffer | undefined): ClientConn {
    const make = this.#absoluteForm ? newProxyClientConn : newClientConn;
    return make(this.socket, head, this.#options);
  }
}

function noop(): void {}
