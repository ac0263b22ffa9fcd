/**
 * Lockstep streams text pieces from a node:http backend to a client one at
 * a time: the backend writes piece N+1 only once the client has received
 * piece N whole. Anything in between that holds a piece back (a proxy
 * buffering a stream) stalls the exchange, so a test fails by timeout
 * instead of passing or failing by luck of timing.
 */
import type { ServerResponse } from 'node:http';
import { expect } from 'vitest';
import { type Deferred, deferred } from './e2e-harness.js';

export class Lockstep {
  readonly pieces: readonly string[];
  readonly #received: Deferred<void>[]; // #received[n] resolves once the client has piece n
  #written = 0;

  constructor(pieces: readonly string[]) {
    this.pieces = pieces;
    this.#received = pieces.map(() => deferred());
  }

  /** serve writes the pieces to `res`, each once the client has the one before, then ends it. */
  async serve(res: ServerResponse): Promise<void> {
    for (const [n, piece] of this.pieces.entries()) {
      if (n > 0) await this.#received[n - 1]!.promise;
      this.#written++;
      res.write(piece);
    }
    res.end();
  }

  /**
   * read consumes `body` to its end, releasing the next piece as each one
   * arrives whole, and resolves with the whole text. It expects no piece
   * to arrive before the backend was allowed to write it.
   */
  async read(body: AsyncIterable<Uint8Array>): Promise<string> {
    let text = '';
    let seen = 0;
    for await (const chunk of body) {
      text += Buffer.from(chunk).toString('utf8');
      while (seen < this.pieces.length && text.length >= this.#lengthThrough(seen)) {
        expect(this.#written, `piece ${seen} arrived before the next was written`).toBe(seen + 1);
        this.#received[seen++]!.resolve();
      }
    }
    return text;
  }

  #lengthThrough(n: number): number {
    return this.pieces.slice(0, n + 1).join('').length;
  }
}
