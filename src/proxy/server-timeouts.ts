/** Default milliseconds from the first byte of a request (or the accept) until its head is complete. */
export const DEFAULT_HEADER_TIMEOUT = 30_000;
/** Default milliseconds a kept-alive connection may wait for the first byte of its next request. */
export const DEFAULT_IDLE_TIMEOUT = 60_000;
/** Default milliseconds without a byte from the client while a request body is incomplete. */
export const DEFAULT_BODY_TIMEOUT = 300_000;

/**
 * ConnTimer is one restartable, unref'd timer: it never keeps the process
 * alive, and `stop()` (or a new `start()`) clears it, so a connection
 * leaves no timer behind. A timeout of 0 (or anything not above 0) means
 * no timer at all.
 */
export class ConnTimer {
  #timer: NodeJS.Timeout | null = null;

  /** True while a timer is armed. */
  get armed(): boolean {
    return this.#timer !== null;
  }

  /** start replaces any armed timer with one calling `onTimeout` after `ms`. */
  start(ms: number, onTimeout: () => void): void {
    this.stop();
    if (!(ms > 0)) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      onTimeout();
    }, ms);
    this.#timer.unref();
  }

  /** refresh restarts the armed timer's full period (activity seen); it does nothing when none is armed. */
  refresh(): void {
    this.#timer?.refresh();
  }

  /** stop clears the armed timer, if any. */
  stop(): void {
    if (this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#timer = null;
  }
}
