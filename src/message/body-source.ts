import type { Readable } from 'node:stream';

/**
 * BodyInit is a body as a user may give it: a string (sent as UTF-8), bytes,
 * an async iterable of byte chunks (a `Readable` is one), or null for none.
 */
export type BodyInit = string | Uint8Array | AsyncIterable<Uint8Array> | Readable | null;

/** BodySource is a body made ready for writing. */
export interface BodySource {
  /** Length in bytes, or -1 when unknown until the chunks end. */
  readonly length: number;
  /** The whole body when it is already in memory, else null. */
  readonly bytes: Uint8Array | null;
  /** The chunks in order; a source is iterated at most once. */
  chunks(): AsyncIterable<Uint8Array>;
}

/** bytesSource wraps bytes already in memory. */
function bytesSource(bytes: Uint8Array): BodySource {
  return {
    length: bytes.byteLength,
    bytes,
    async *chunks() {
      if (bytes.byteLength > 0) yield bytes;
    },
  };
}

/**
 * bodySource normalizes a user-given body: strings become UTF-8 bytes, bytes
 * keep their length, and iterables (a `Readable` included) have unknown
 * length; a string chunk from them is sent as UTF-8 and any other
 * non-bytes chunk fails the iteration with a TypeError. Null and undefined
 * give null: there is no body.
 */
export function bodySource(init: BodyInit | undefined): BodySource | null {
  if (init == null) return null;
  if (typeof init === 'string') return bytesSource(Buffer.from(init, 'utf8'));
  if (init instanceof Uint8Array) return bytesSource(init);
  if (typeof (init as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const iterable = init as AsyncIterable<unknown>;
    return { length: -1, bytes: null, chunks: () => byteChunks(iterable) };
  }
  throw new TypeError(
    'body must be a string, a Uint8Array, an async iterable of Uint8Array or null',
  );
}

async function* byteChunks(iterable: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const chunk of iterable) {
    if (chunk instanceof Uint8Array) yield chunk;
    else if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
    else throw new TypeError('body chunks must be Uint8Array or string');
  }
}
