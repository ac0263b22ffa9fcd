import { ProtocolError } from '../errors.js';
import type { HeaderPair } from '../parser/types.js';
import { type BodyInit, type BodySource, bodySource } from './body-source.js';
import { Header } from './header.js';
import { type BodyListener, type BodyTap, LISTEN, LISTENABLE } from './body-listener.js';

/** BodyOptions: for bodies a connection fills. */
export interface BodyOptions {
  /** Buffered bytes at which `push()` asks the producer to pause; default 65536. */
  highWaterMark?: number;
  /** The Header that `end(trailers)` fills; default a new one. Share it with the message's `trailer`. */
  trailer?: Header;
}

type Waiter = {
  resolve(result: IteratorResult<Uint8Array>): void;
  reject(err: Error): void;
};

/** The queue of every Body until its first push: shared, never changed. */
const NO_CHUNKS: Uint8Array[] = [];

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

// Set by Body's static block.
let takeEnded: (body: Body) => Uint8Array;

/**
 * takeEndedBody claims a body that has ended cleanly (`ended`, not yet
 * consumed) and returns all its bytes at once, its trailer complete: what
 * `bytes()` does, without waiting a promise job.
 */
export function takeEndedBody(body: Body): Uint8Array {
  return takeEnded(body);
}

/**
 * Body is a message body: an async iterable of `Uint8Array` chunks that can
 * be consumed once, by iterating or with `text()`, `json()`, `bytes()` or
 * `dump()`; a second consumer gets a `ProtocolError` `ERR_BODY_CONSUMED`.
 * A body that ends early never ends cleanly: iteration and every reader
 * reject with the producer's error, after the chunks received before it.
 * `trailer` holds the trailer fields once the body has ended.
 *
 * Producer side (connections): `push()` each chunk as it arrives and stop
 * reading the socket when it returns false; `onDrain` is called once the
 * consumer has taken every buffered chunk, to resume. Finish with `end()`
 * or `fail()`; `discard()` drops the body when the connection drains it
 * itself. The consumer may stop early (`break`, `dump()`): later pushes are
 * then dropped and return true.
 */
export class Body implements AsyncIterable<Uint8Array> {
  /** Trailer fields; complete once the body has ended. */
  readonly trailer: Header;
  /** Producer hook: called when the buffer drained after `push()` returned false. */
  onDrain: (() => void) | null = null;
  /**
   * Server hook: called once, when a consumer first claims the body (a
   * server sends `100 Continue` then, for `Expect: 100-continue`).
   */
  onClaim: (() => void) | null = null;

  /** Chunks pushed and not yet taken, with their total size (owned by the producer side). */
  #queue: Uint8Array[] = NO_CHUNKS;
  #buffered = 0;
  #highWaterMark: number;
  #needDrain = false;
  /** Trailer pairs received with the end, added to `trailer` when the consumer gets there. */
  #trailers: readonly HeaderPair[] | undefined;
  /** Settled state: set once by end() or fail(). */
  #ended = false;
  #error: Error | null = null;
  /** Consumer state: one consumer, possibly waiting for a chunk or for the end. */
  #consumed = false;
  #discarding = false;
  #waiter: Waiter | null = null;
  #dumpWaiter: Waiter | null = null;
  /** Set for a body made from user data: chunks are pulled from it directly. */
  #source: BodySource | null = null;
  /** The callback consumer (see LISTEN), and whether it asked to pause. */
  #listener: BodyListener | null = null;
  #listenerPaused = true;

  constructor(options: BodyOptions = {}) {
    this.#highWaterMark = options.highWaterMark ?? 65536;
    this.trailer = options.trailer ?? new Header();
  }

  /** Body.from wraps a user-given body (see `BodyInit`); a Body is returned as is, null gives an empty body. */
  static from(init: BodyInit | Body): Body {
    if (init instanceof Body) return init;
    const source = bodySource(init);
    if (source === null) return Body.empty();
    const body = new Body();
    body.#source = source;
    return body;
  }

  /** Body.empty returns a body that has already ended with no bytes. */
  static empty(): Body {
    const body = new Body();
    body.#ended = true;
    return body;
  }

  /** length is the size in bytes when known before reading (bytes, a string, an ended body), else -1. */
  get length(): number {
    if (this.#source !== null) return this.#source.length;
    return this.#ended && this.#error === null ? this.#buffered : -1;
  }

  /** consumed reports whether a consumer has claimed the body. */
  get consumed(): boolean {
    return this.#consumed;
  }

  /** ended reports whether the producer ended the body cleanly (every byte arrived; some may be unread). */
  get ended(): boolean {
    return this.#ended && this.#error === null;
  }

  /**
   * push hands a chunk to the consumer (the chunk is kept, not copied). It
   * returns false once the buffered bytes reach the high-water mark: stop
   * reading until `onDrain`. Pushing after `end()`/`fail()` throws.
   */
  push(chunk: Uint8Array): boolean {
    if (this.#discarding) return true;
    if (this.#ended || this.#error !== null) {
      throw new ProtocolError('ERR_BODY_ENDED', 'push after the body ended');
    }
    if (chunk.byteLength === 0) return !this.#needDrain;
    const listener = this.#listener;
    if (listener !== null && !this.#listenerPaused && this.#queue.length === 0) {
      this.#listenerPaused = !listener.data(chunk);
      return true;
    }
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      waiter.resolve({ value: chunk, done: false });
      return true;
    }
    if (this.#queue === NO_CHUNKS) this.#queue = [];
    this.#queue.push(chunk);
    this.#buffered += chunk.byteLength;
    if (this.#buffered < this.#highWaterMark) return true;
    this.#needDrain = true;
    return false;
  }

  /**
   * end finishes the body. `trailers` (pairs read off the wire) are added to
   * `trailer` when the consumer reaches the end, as Go fills
   * Response.Trailer at EOF: until then `trailer` holds only the announced
   * names. Ignored once settled.
   */
  end(trailers?: readonly HeaderPair[]): void {
    if (this.#ended || this.#error !== null) return;
    this.#trailers = trailers;
    this.#ended = true;
    if (this.#listener !== null) return this.#deliverLater();
    if (this.#waiter !== null || this.#dumpWaiter !== null) this.#reachEnd();
    this.#waiter?.resolve(DONE);
    this.#dumpWaiter?.resolve(DONE);
    this.#waiter = this.#dumpWaiter = null;
  }

  /** fail ends the body with `err`: the consumer gets the chunks already buffered, then `err`. Ignored once settled. */
  fail(err: Error): void {
    if (this.#ended || this.#error !== null) return;
    this.#error = err;
    if (this.#listener !== null) return this.#deliverLater();
    this.#waiter?.reject(err);
    this.#dumpWaiter?.reject(err);
    this.#waiter = this.#dumpWaiter = null;
  }

  /**
   * discard is for a connection that reads the rest of this body itself
   * (to reach the next message): buffered chunks are dropped, later pushes
   * and `end()` are ignored, and a consumer reading now or later gets `reason`.
   */
  discard(reason: Error): void {
    this.#dropBuffered();
    this.#ended = false; // even a body received whole must not read as empty now
    this.fail(reason);
    this.#discarding = true;
  }

  /** Iterating claims the body; leaving the loop early drops the rest. */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    this.#claim();
    return this.#iterator();
  }

  /** text reads the whole body as UTF-8. */
  async text(): Promise<string> {
    const bytes = await this.bytes();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }

  /** json reads the whole body and parses it as JSON. */
  async json<T = unknown>(): Promise<T> {
    return JSON.parse(await this.text()) as T;
  }

  /** bytes reads the whole body into one Uint8Array. */
  async bytes(): Promise<Uint8Array> {
    this.#claim();
    if (this.#source?.bytes) return this.#source.bytes;
    if (this.#ended && this.#error === null) return this.#takeAll(); // all here: no iteration
    const chunks: Uint8Array[] = [];
    const it = this.#iterator();
    for (let r = await it.next(); r.done !== true; r = await it.next()) chunks.push(r.value);
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  /** dump discards the rest of the body; it resolves when the body has ended and rejects if it failed. */
  async dump(): Promise<void> {
    this.#claim();
    if (this.#source !== null) {
      const it = this.#source.chunks()[Symbol.asyncIterator]();
      while ((await it.next()).done !== true);
      return;
    }
    this.#abandon();
    if (this.#error !== null) throw this.#error;
    if (this.#ended) {
      this.#reachEnd();
      return;
    }
    await new Promise<IteratorResult<Uint8Array>>((resolve, reject) => {
      this.#dumpWaiter = { resolve, reject };
    });
  }

  /** toSource hands the body to a writer; it counts as consuming it. */
  toSource(): BodySource {
    this.#claim();
    if (this.#source !== null) return this.#source;
    const length = this.length;
    const iterable = { [Symbol.asyncIterator]: () => this.#iterator() };
    return { length, bytes: null, chunks: () => iterable };
  }

  #claim(): void {
    if (this.#consumed) throw new ProtocolError('ERR_BODY_CONSUMED', 'body already consumed');
    this.#consumed = true;
    const onClaim = this.onClaim;
    this.onClaim = null;
    onClaim?.();
  }

  #iterator(): AsyncIterator<Uint8Array> {
    if (this.#source !== null) return this.#source.chunks()[Symbol.asyncIterator]();
    return {
      next: () => this.#next(),
      return: () => {
        this.#abandon();
        return Promise.resolve(DONE);
      },
    };
  }

  #next(): Promise<IteratorResult<Uint8Array>> {
    const chunk = this.#queue.shift();
    if (chunk !== undefined) {
      this.#buffered -= chunk.byteLength;
      if (this.#queue.length === 0) this.#drained();
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.#error !== null) return Promise.reject(this.#error);
    if (this.#ended) {
      this.#reachEnd();
      return Promise.resolve(DONE);
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  static {
    takeEnded = (body) => {
      body.#claim();
      return body.#takeAll();
    };
  }

  /** [LISTENABLE]: whether `[LISTEN]` may claim this body, i.e. a connection fills it (not made from user data). */
  get [LISTENABLE](): boolean {
    return this.#source === null;
  }

  /**
   * [LISTEN] claims the body for a callback consumer: chunks go to
   * `listener.data` as they are pushed (the buffered ones first, on the
   * first `resume()`), then `end` or `error`. Only for a body that is
   * `[LISTENABLE]`: one made from user data is written with `toSource()`.
   */
  [LISTEN](listener: BodyListener): BodyTap {
    if (this.#source !== null) throw new TypeError('[LISTEN] on a body made from user data');
    this.#claim();
    this.#listener = listener;
    return {
      resume: () => {
        if (this.#listener !== listener) return;
        this.#listenerPaused = false;
        this.#deliver();
      },
      stop: () => {
        if (this.#listener !== listener) return;
        this.#listener = null;
        this.#abandon();
      },
    };
  }

  /**
   * #deliverLater tells the listener of the end or the failure in a
   * microtask: the producer calls end() and fail() from inside its own
   * state changes (a parser callback, a connection closing), which the
   * listener's reaction (reusing or closing that connection) must not enter.
   */
  #deliverLater(): void {
    queueMicrotask(() => this.#deliver());
  }

  /** #deliver hands the buffered chunks to the listener until it pauses, then the end or the error once none are left. */
  #deliver(): void {
    const listener = this.#listener;
    if (listener === null) return;
    for (;;) {
      if (this.#listenerPaused || this.#listener !== listener) return;
      const chunk = this.#queue.shift();
      if (chunk === undefined) break;
      this.#buffered -= chunk.byteLength;
      this.#listenerPaused = !listener.data(chunk);
    }
    this.#drained(); // the producer may push more now, straight to the listener, or settle the body
    if (this.#listenerPaused || this.#listener !== listener || this.#queue.length > 0) return;
    if (this.#error === null && !this.#ended) return;
    this.#listener = null;
    if (this.#error !== null) {
      listener.error(this.#error);
    } else {
      this.#reachEnd();
      listener.end();
    }
  }

  /** #takeAll hands over every buffered chunk of an ended body as one, and reaches its end. */
  #takeAll(): Uint8Array {
    const queue = this.#queue;
    const all = queue.length === 1 ? queue[0]! : Buffer.concat(queue, this.#buffered);
    this.#queue = NO_CHUNKS;
    this.#buffered = 0;
    this.#drained();
    this.#reachEnd();
    return all;
  }

  /** The consumer reached the end: the trailer fields are now complete. */
  #reachEnd(): void {
    const trailers = this.#trailers;
    this.#trailers = undefined;
    if (trailers !== undefined) this.trailer.addWire(trailers);
  }

  /** The consumer stopped early: drop what is buffered and whatever comes next. */
  #abandon(): void {
    this.#discarding = true;
    this.#dropBuffered();
  }

  #dropBuffered(): void {
    this.#queue.length = 0;
    this.#buffered = 0;
    this.#drained();
  }

  #drained(): void {
    if (!this.#needDrain) return;
    this.#needDrain = false;
    this.onDrain?.();
  }
}
