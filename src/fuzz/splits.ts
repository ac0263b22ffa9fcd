import type { Arbitrary } from 'fast-check';
import { fc } from './fast-check.js';

/**
 * splitAt cuts `bytes` at `cuts` (offsets taken modulo `length + 1`, in
 * any order; repeats give empty pieces) and returns the pieces in order,
 * as views of `bytes`.
 */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = cuts.map((cut) => cut % (bytes.length + 1)).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    pieces.push(bytes.subarray(start, point));
    start = point;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

/**
 * splitsArbitrary generates ways to deliver `bytes` in pieces, as a socket
 * might: up to 8 random cuts (empty pieces included), or one piece per
 * byte. The pieces are views of `bytes` and always join back to it;
 * shrinking goes towards fewer cuts.
 */
export function splitsArbitrary(bytes: Uint8Array): Arbitrary<Uint8Array[]> {
  const eachByte = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.array(fc.nat(bytes.length), { maxLength: 8 }) },
      { weight: 1, arbitrary: fc.constant(null) },
    )
    .map((cuts) => (cuts === null ? eachByte : splitAt(bytes, cuts)));
}
