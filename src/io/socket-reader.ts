import type { Socket } from 'node:net';

/** Options for SocketReader. */
export interface SocketReaderOptions {
  /**
   * Bytes received but not yet consumed above which the socket is paused
   * (read-ahead bound); reading resumes once consumption drops below it.
   * Default 64 KiB.
   */
  highWaterMark?: number;
}

/** Detached: what `SocketReader.detach()` hands back. */
export interface Detached<S extends Socket = Socket> {
  socket: S;
  /** Every byte received from the socket and not consumed. */
  head: Buffer;
}

const DEFAULT_HIGH_WATER_MARK = 64 * 1024;

/**
 * SocketReader keeps the chunks a socket delivers, unconcatenated, until a
 * consumer takes them with `peek()`/`consume()`. It pauses the socket while
 * more than `highWaterMark` bytes wait, records end of input and socket
 * errors, and on `detach()` removes exactly the listeners it added and
 * returns the socket with its unconsumed bytes.
 */
export class SocketReader<S extends Socket = Socket> {
  readonly #socket: S;
  readonly #highWaterMark: number;
  #chunks: Buffer[] = [];
  #first = 0; // index of the first live chunk in #chunks
  #queued = 0; // bytes in the live chunks
  #ended = false; // the peer sent FIN
  #error: Error | null = null; // the socket failed
  #detached = false;
  #paused = false; // we paused the socket
  #onReadable: () => void = noop;

  readonly #onData = (chunk: Buffer) => {
    this.#chunks.push(chunk);
    this.#queued += chunk.length;
    if (this.#queued > this.#highWaterMark && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    }
    this.#onReadable();
  };
  readonly #onEnd = () => {
    this.#ended = true;
    this.#onReadable();
  };
  readonly #onError = (err: Error) => {
    this.#error ??= err;
    this.#onReadable();
  };
  readonly #onClose = () => {
    this.#ended = true;
    this.#onReadable();
  };

  /**
   * Wraps `socket`; `head` holds bytes already read from it (Go's
   * bufio.Reader contents). A socket handed over paused is resumed (unless
   * `head` alone passes the high-water mark).
   */
  constructor(socket: S, head?: Uint8Array, options: SocketReaderOptions = {}) {
    this.#socket = socket;
    this.#highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    if (head !== undefined && head.length > 0) {
      const copy = Buffer.from(head);
      this.#chunks.push(copy);
      this.#queued = copy.length;
    }
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    if (socket.readableEnded) this.#ended = true;
    if (this.#queued > this.#highWaterMark) {
      this.#paused = true;
      socket.pause();
    } else if (socket.readableFlowing === false) {
      socket.resume(); // handed over paused (by a hijack, node:http or the user): the reader owns reading now
    }
  }

  /** The socket (still owned by this reader until `detach()`). */
  get socket(): S {
    return this.#socket;
  }

  /** Bytes received and not consumed. */
  get queued(): number {
    return this.#queued;
  }

  /** True once the peer ended its side (or the socket closed). */
  get ended(): boolean {
    return this.#ended;
  }

  /** The socket's first error, or null. */
  get error(): Error | null {
    return this.#error;
  }

  /** onReadable sets the one function told about new bytes, end of input or an error. */
  set onReadable(fn: () => void) {
    this.#onReadable = fn;
  }

  /** peek returns the first unconsumed chunk, or undefined when none waits. */
  peek(): Buffer | undefined {
    return this.#first < this.#chunks.length ? this.#chunks[this.#first] : undefined;
  }

  /** consume drops `n` bytes from the front of the first chunk (at most that chunk). */
  consume(n: number): void {
    if (n === 0) return;
    const chunk = this.#chunks[this.#first]!;
    this.#queued -= n;
    if (n >= chunk.length) {
      this.#chunks[this.#first++] = EMPTY;
      if (this.#first === this.#chunks.length) {
        this.#chunks = [];
        this.#first = 0;
      }
    } else {
      this.#chunks[this.#first] = chunk.subarray(n);
    }
    if (this.#paused && this.#queued <= this.#highWaterMark && !this.#detached) {
      this.#paused = false;
      this.#socket.resume();
    }
  }

  /**
   * detach stops reading: removes the listeners this reader added, leaves
   * the socket paused and returns it with every unconsumed byte.
   */
  detach(): Detached<S> {
    const socket = this.#socket;
    const live = this.#chunks.slice(this.#first);
    this.#chunks = [];
    this.#first = 0;
    this.#queued = 0;
    if (!this.#detached) {
      this.#detached = true;
      socket.off('data', this.#onData);
      socket.off('end', this.#onEnd);
      socket.off('error', this.#onError);
      socket.off('close', this.#onClose);
      this.#onReadable = noop;
      socket.pause();
    }
    const head = live.length === 1 ? live[0]! : Buffer.concat(live);
    return { socket, head };
  }
}

const EMPTY = Buffer.alloc(0);

function noop(): void {}
