const WINDOW_SECONDS = 10;
const FLOOR_PER_SECOND = 3;

/**
 * RetryBudget bounds retries to a share of recent traffic (Envoy's retry
 * budget): over the last 10 s, in one-second buckets, retries may add at
 * most `ratio` × requests, but always at least 3 per second of the window,
 * so a quiet proxy can still fail over.
 */
export class RetryBudget {
  readonly #ratio: number;
  readonly #requests = new Float64Array(WINDOW_SECONDS);
  readonly #retries = new Float64Array(WINDOW_SECONDS);
  #second = 0; // the epoch second of the newest bucket

  constructor(ratio: number) {
    this.#ratio = ratio;
  }

  /** request counts a new request at `now` (epoch ms). */
  request(now: number): void {
    this.#requests[this.#roll(now)]!++;
  }

  /** tryRetry takes one retry from the budget at `now`, or returns false when it is spent. */
  tryRetry(now: number): boolean {
    const at = this.#roll(now);
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) {
      requests += this.#requests[i]!;
      retries += this.#retries[i]!;
    }
    if (retries >= Math.max(this.#ratio * requests, FLOOR_PER_SECOND * WINDOW_SECONDS))
      return false;
    this.#retries[at]!++;
    return true;
  }

  /** #roll clears the buckets of the seconds that passed and returns the index of `now`'s. */
  #roll(now: number): number {
    const second = Math.floor(now / 1000);
    const passed = second - this.#second;
    if (passed > 0) {
      for (let i = 1; i <= Math.min(passed, WINDOW_SECONDS); i++) {
        const at = (this.#second + i) % WINDOW_SECONDS;
        this.#requests[at] = 0;
        this.#retries[at] = 0;
      }
      this.#second = second;
    }
    return second % WINDOW_SECONDS;
  }
}
