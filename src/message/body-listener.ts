/**
 * LISTEN keys Body's callback consumer (internal): `body[LISTEN](listener)`
 * claims a body a connection fills and returns a BodyTap, paused until its
 * first `resume()`. Check `body[LISTENABLE]` first: a body made from user
 * data is written from its source instead.
 */
export const LISTEN = Symbol('listen');

/** LISTENABLE keys Body's getter saying whether `[LISTEN]` may claim it: true for a body a connection fills. */
export const LISTENABLE = Symbol('listenable');

/**
 * BodyListener takes a body's chunks as they are pushed, with no promise
 * per chunk: the writers' fast path. Exactly one of `end` and `error` is
 * called last, once, unless the tap was stopped first.
 */
export interface BodyListener {
  /** data takes a chunk (a view of the received bytes, not copied); false pauses delivery until `resume()`. */
  data(chunk: Uint8Array): boolean;
  /** end: every chunk was delivered and the trailer is complete. */
  end(): void;
  /** error: the body failed after the chunks delivered. */
  error(err: Error): void;
}

/** BodyTap controls a listened body: `resume()` (re)starts delivery, `stop()` abandons the body like `break`. */
export interface BodyTap {
  resume(): void;
  stop(): void;
}
