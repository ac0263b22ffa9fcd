import { Body, takeEndedBody } from '../message/body.js';
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
    void this.#pump(inner[Symbol.asyncIterator]());
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

  override toSource(): BodySource {
    const source = super.toSource();
    const chunks = {
      [Symbol.asyncIterator]: () => this.#watch(source.chunks()[Symbol.asyncIterator]()),
    };
    return { length: source.length, bytes: source.bytes, chunks: () => chunks };
  }

  async #pump(it: AsyncIterator<Uint8Array>): Promise<void> {
    try {
      for (;;) {
        const r = await it.next();
        if (this.settled) return;
        if (r.done === true) break;
        if (!this.push(r.value)) await this.#drained();
      }
    } catch (err) {
      this.fail(err as Error);
      this.#settle(false);
      return;
    }
    this.#finish();
  }

  /** #finish ends this body with the inner one's trailer values, complete now that it ended. */
  #finish(): void {
    this.end(headerPairs(this.#inner.trailer));
    this.#settle(true);
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      this.onDrain = resolve;
    });
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
    this.onDrain?.(); // let a pump waiting for room see it is over
  }

  #settle(clean: boolean): void {
    const done = this.#done;
    this.#done = null;
    done?.(clean);
  }
}
