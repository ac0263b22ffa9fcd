import type { Sink } from '../message/write-body.js';

/**
 * MemorySink is a Sink that keeps a copy of everything written to it and
 * never asks for 'drain': the message writers serialize into it.
 */
export class MemorySink implements Sink {
  readonly #parts: Uint8Array[] = [];

  write(chunk: Uint8Array): boolean {
    this.#parts.push(Uint8Array.from(chunk));
    return true;
  }

  once(): this {
    return this;
  }

  off(): this {
    return this;
  }

  /** bytes returns everything written so far, in order, as one array. */
  bytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.#parts));
  }
}
