/**
 * Body content that the backend writes and the load generator checks
 * without hashing or keeping copies: the body of request `id` is a fixed
 * pseudo-random byte cycle of prime length PERIOD read from a start that
 * `id` picks. Two requests whose ids differ by less than PERIOD start at
 * different places, so a body sent to the wrong request, a shifted body or
 * a body with a piece missing all fail the byte comparison.
 */

/** PERIOD: the cycle's length, the largest prime below 64 KiB. */
const PERIOD = 65_521;

/** PIECE_BYTES: the longest slice `bodyPieces` hands out. */
export const PIECE_BYTES = 32 * 1024;

/** CYCLE holds the cycle twice, so any PERIOD bytes from any start are one contiguous view. */
const CYCLE = makeCycle();

function makeCycle(): Buffer {
  const cycle = Buffer.allocUnsafe(2 * PERIOD);
  let x = 0x9e3779b9;
  for (let i = 0; i < PERIOD; i++) {
    // xorshift32
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    cycle[i] = x & 0xff;
  }
  cycle.copy(cycle, PERIOD, 0, PERIOD);
  return cycle;
}

/** cycleAt is where byte `offset` of request `id`'s body sits in the cycle. */
function cycleAt(id: number, offset: number): number {
  return (id * 40_503 + offset) % PERIOD;
}

/**
 * bodyPieces yields request `id`'s body of `length` bytes as views of at
 * most `pieceBytes` (capped at PIECE_BYTES) each; the views are shared and
 * must not be written to.
 */
export function* bodyPieces(
  id: number,
  length: number,
  pieceBytes: number = PIECE_BYTES,
): Generator<Buffer> {
  const size = Math.max(1, Math.min(pieceBytes, PIECE_BYTES));
  for (let offset = 0; offset < length; offset += size) {
    const start = cycleAt(id, offset);
    yield CYCLE.subarray(start, start + Math.min(size, length - offset));
  }
}

/** bodyOf is request `id`'s whole body in one buffer (a copy), for small bodies. */
export function bodyOf(id: number, length: number): Buffer {
  return Buffer.concat([...bodyPieces(id, length)], length);
}

/** BodyVerdict: how a received body compares with the expected one. */
export type BodyVerdict = 'ok' | 'wrong body' | 'truncated';

/**
 * BodyCheck compares a body, as it arrives, with request `id`'s `length`
 * expected bytes. Once a byte differs or the body runs long the verdict is
 * `wrong body` for good.
 */
export class BodyCheck {
  readonly #id: number;
  readonly #length: number;
  #received = 0;
  #wrong = false;

  constructor(id: number, length: number) {
    this.#id = id;
    this.#length = length;
  }

  /** received is how many body bytes arrived so far. */
  get received(): number {
    return this.#received;
  }

  /** add checks the next piece of the body; it returns false once the body is wrong. */
  add(chunk: Uint8Array): boolean {
    if (this.#wrong) return false;
    if (this.#received + chunk.length > this.#length) {
      this.#wrong = true;
      return false;
    }
    for (let done = 0; done < chunk.length;) {
      const start = cycleAt(this.#id, this.#received + done);
      const n = Math.min(chunk.length - done, PERIOD);
      if (CYCLE.compare(chunk, done, done + n, start, start + n) !== 0) {
        this.#wrong = true;
        return false;
      }
      done += n;
    }
    this.#received += chunk.length;
    return true;
  }

  /** verdict judges the body once its sender said it was complete. */
  verdict(): BodyVerdict {
    if (this.#wrong) return 'wrong body';
    return this.#received === this.#length ? 'ok' : 'truncated';
  }
}
