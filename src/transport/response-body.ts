import { Body, takeEndedBody } from '../message/body.js';
import { type BodyListener, type BodyTap, LISTEN } from '../message/body-listener.js';
import type { BodySource } from '../message/body-source.js';
import { headerPairs } from '../message/header.js';

/**
 * TransportBody is the body of a response a Transport returns. It reads the
 * connection's body as fast as its own buffer allows (`highWaterMark`), so
 * a body that fits is off the wire, and its connection free, even if
 * nobody reads it. `done(clean)` is called once (in the constructor when
 * the body came whole with the head): `true` when the whole body was read
 * off the connection (it may be reused), `false` when the body
 * failed or its consumer abandoned it (`break`, `dump()` before the end, a
 * writer giving up on `toSource()`): the connection must then be closed,
 * as Go's Transport closes on an early Body.Close. An abandoned body ends
 * for its consumer: `dump()` resolves.
 */
export class TransportBody extends Body {
  #done: ((clean: boolean) => void) | null;

  readonly #inner: Body;
  #tap: BodyTap | null = null; // on the inner body while it streams

  constructor(inner: Body, highWaterMark: number, done: (clean: boolean) => void) {
    // Its own trailer, announced names only: values arrive when its consumer reaches the end.
    super({ highWaterMark, trailer: inner.trailer.clone() });
    this.#inner = inner;
    this.#done = done;
    if (inner.ended && !inner.consumed) {
      // The whole body came with the head (a small answer, the common case): no pump.
      const bytes = takeEndedBody(inner);
      if (bytes.byteLength > 0) this.push(bytes);
      this.#finish();
      return;
    }
    this.#pump();
  }

  /** settled reports whether `done` was called. */
  get settled(): boolean {
    return this.#done === null;
  }

  override [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.#watch(super[Symbol.asyncIterator]());
  }

  override dump(): Promise<void> {
    const dumped = super.dump();
    this.#abandon();
    return dumped;
  }

  override [LISTEN](listener: BodyListener): BodyTap {
    const tap = super[LISTEN](listener);
    return {
      resume: () => tap.resume(),
      stop: () => {
        this.#abandon();
        tap.stop();
      },
    };
  }

  override toSource(): BodySource {
    const source = super.toSource();
    const chunks = {
      [Symbol.asyncIterator]: () => this.#watch(source.chunks()[Symbol.asyncIterator]()),
    };
    return { length: source.length, bytes: source.bytes, chunks: () => chunks };
  }

  /**
   * #pump moves the inner body's chunks into this one as the connection
   * delivers them (views, no promise per chunk), pausing the inner body
   * while this one is full.
   */
  #pump(): void {
    // The inner body, held by the connection, holds this one only weakly:
    // an unread body left full must stay collectable (its connection is then closed).
    const self = new WeakRef(this);
    const tap = this.#inner[LISTEN]({
      data: (chunk) => {
        const body = self.deref();
        return body === undefined ? false : body.#take(chunk);
      },
      end: () => {
        const body = self.deref();
        if (body !== undefined) body.#finish();
      },
      error: (err) => {
        const body = self.deref();
        if (body !== undefined) body.#failWith(err);
      },
    });
    this.#tap = tap;
    this.onDrain = () => tap.resume();
    tap.resume();
  }

  #take(chunk: Uint8Array): boolean {
    return this.settled || this.push(chunk);
  }

  #failWith(err: Error): void {
    this.fail(err);
    this.#settle(false);
  }

  /** #finish ends this body with the inner one's trailer values, complete now that it ended. */
  #finish(): void {
    this.end(headerPairs(this.#inner.trailer));
    this.#settle(true);
  }

  /** #watch reports an iterator's early `return()` (a `break`, a throw in the loop) as abandonment. */
  #watch(it: AsyncIterator<Uint8Array>): AsyncIterator<Uint8Array> {
    return {
      next: () => it.next(),
      return: (value?: unknown) => {
        this.#abandon();
        return it.return?.(value) ?? Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  #abandon(): void {
    if (this.settled) return;
    this.end(); // for the consumer, a discarded body has ended
    this.#settle(false);
    this.#tap?.stop(); // the connection is closed: nothing more to read
  }

  #settle(clean: boolean): void {
    const done = this.#done;
    this.#done = null;
    done?.(clean);
  }
}
