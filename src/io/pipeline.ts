/**
 * Pipeline orders the requests and responses of one connection, as Go's
 * textproto.Pipeline does: `next()` hands out ids in order, and the request
 * (or response) with id n starts only after every earlier one has ended.
 * JavaScript does not preempt, so where Go blocks, `startRequest` and
 * `startResponse` return a promise that resolves on the caller's turn.
 */
export class Pipeline {
  #id = 0;
  readonly #request = new Sequencer();
  readonly #response = new Sequencer();

  /** next returns the next id for a request/response pair. */
  next(): number {
    return this.#id++;
  }

  /** startRequest resolves when the request with `id` may begin. */
  startRequest(id: number): Promise<void> | undefined {
    return this.#request.start(id);
  }

  /** endRequest lets the request after `id` begin. */
  endRequest(id: number): void {
    this.#request.end(id);
  }

  /** startResponse resolves when the response with `id` may begin. */
  startResponse(id: number): Promise<void> | undefined {
    return this.#response.start(id);
  }

  /** endResponse lets the response after `id` begin. */
  endResponse(id: number): void {
    this.#response.end(id);
  }

  /**
   * skipResponse gives up the response turn of `id` (a request that failed
   * to be written or read): the turn is taken and ended as soon as it comes,
   * without the caller waiting for it (Go's StartResponse + EndResponse).
   */
  skipResponse(id: number): void {
    const turn = this.#response.start(id);
    if (turn === undefined) this.#response.end(id);
    else void turn.then(() => this.#response.end(id));
  }
}

/** Sequencer runs numbered turns in order (Go's textproto.sequencer). */
class Sequencer {
  #current = 0;
  /** Turns waited for out of order; made on first use (an idle connection keeps none). */
  #waiting: Map<number, () => void> | null = null;

  /** start returns undefined when it is already `id`'s turn, else a promise for the turn. */
  start(id: number): Promise<void> | undefined {
    if (id === this.#current) return undefined;
    const waiting = (this.#waiting ??= new Map());
    return new Promise<void>((resolve) => waiting.set(id, resolve));
  }

  end(id: number): void {
    if (id !== this.#current)
      throw new Error(`pipeline: end of turn ${id} during turn ${this.#current}`);
    this.#current++;
    const waiting = this.#waiting;
    if (waiting === null) return;
    const wake = waiting.get(this.#current);
    if (wake !== undefined) {
      waiting.delete(this.#current);
      if (waiting.size === 0) this.#waiting = null;
      wake();
    }
  }
}
