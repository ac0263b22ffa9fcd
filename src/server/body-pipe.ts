import { ProtocolError } from '../errors.js';

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * BodyPipe carries a response body from a ResponseWriter to the writer of
 * its connection, one chunk at a time. It is the body's async iterable:
 * the connection's writer takes a chunk, writes it (waiting for 'drain'
 * when the socket asks) and only then asks for the next one, so
 * `written()` — resolved once the writer has come back for more after the
 * last chunk pushed — is the back-pressure signal a handler awaits.
 * An empty chunk carries no data but makes the writer flush what it holds
 * (the head). Producer side: `push`, `end`, `fail`; `abort` is for the
 * writer side going away (socket closed, hijack).
 */
export class BodyPipe implements AsyncIterable<Uint8Array> {
  #queue: Uint8Array[] = [];
  #taken = false; // the writer holds a chunk it has not finished writing
  #ended = false;
  #onEnd: (() => void) | null = null; // run when the writer reaches the end
  #failure: Error | null = null; // the producer failed: the writer gets it after the queued chunks
  #aborted: Error | null = null; // the writer is gone: pushes are dropped and written() rejects
  #reader: Waiter<IteratorResult<Uint8Array>> | null = null; // the writer, waiting for a chunk
  #idle: (Waiter<void> & { promise: Promise<void> }) | null = null; // producers waiting for the writer to catch up

  /** push queues `chunk` (kept, not copied: leave it unchanged until `written()` resolves). */
  push(chunk: Uint8Array): void {
    if (this.#aborted !== null || this.#ended || this.#failure !== null) return;
    const reader = this.#reader;
    if (reader !== null) {
      this.#reader = null;
      this.#taken = true;
      reader.resolve({ value: chunk, done: false });
      return;
    }
    this.#queue.push(chunk);
  }

  /**
   * end finishes the body after the queued chunks; `onEnd` runs when the
   * writer reaches the end, before it writes what follows the body (the
   * trailers), and so after it wrote the head.
   */
  end(onEnd?: () => void): void {
    if (this.#ended || this.#failure !== null) return;
    this.#ended = true;
    this.#onEnd = onEnd ?? null;
    this.#settleReader();
  }

  /** fail ends the body with `err` after the queued chunks: the writer stops and the message stays incomplete. */
  fail(err: Error): void {
    if (this.#ended || this.#failure !== null) return;
    this.#failure = err;
    this.#settleReader();
  }

  /** abort says the writer is gone: queued chunks are dropped and `written()` rejects with `err`. */
  abort(err: Error): void {
    if (this.#aborted !== null) return;
    this.#aborted = err;
    this.#queue = [];
    const idle = this.#idle;
    this.#idle = null;
    idle?.reject(err);
    const reader = this.#reader;
    this.#reader = null;
    reader?.reject(err);
  }

  /** written resolves once every chunk pushed so far has been written, and rejects if the writer went away. */
  written(): Promise<void> {
    if (this.#aborted !== null) return Promise.reject(this.#aborted);
    if (this.#queue.length === 0 && !this.#taken) return Promise.resolve();
    if (this.#idle === null) {
      let waiter!: Waiter<void>;
      const promise = new Promise<void>((resolve, reject) => {
        waiter = { resolve, reject };
      });
      this.#idle = { ...waiter, promise };
    }
    return this.#idle.promise;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => this.#next(),
      return: () => {
        this.abort(
          new ProtocolError('ERR_SOCKET_CLOSED', 'the connection stopped writing the body'),
        );
        return Promise.resolve(DONE);
      },
    };
  }

  #next(): Promise<IteratorResult<Uint8Array>> {
    this.#taken = false; // asking again: the previous chunk is written
    if (this.#aborted !== null) return Promise.reject(this.#aborted);
    const chunk = this.#queue.shift();
    if (chunk !== undefined) {
      this.#taken = true;
      return Promise.resolve({ value: chunk, done: false });
    }
    const idle = this.#idle;
    this.#idle = null;
    idle?.resolve();
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.resolve(this.#done());
    return new Promise((resolve, reject) => {
      this.#reader = { resolve, reject };
    });
  }

  #settleReader(): void {
    const reader = this.#reader;
    if (reader === null) return;
    this.#reader = null;
    if (this.#failure !== null) reader.reject(this.#failure);
    else reader.resolve(this.#done());
  }

  #done(): IteratorReturnResult<undefined> {
    const onEnd = this.#onEnd;
    this.#onEnd = null;
    onEnd?.();
    return DONE;
  }
}
