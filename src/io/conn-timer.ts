/**
 * ConnTimer is one restartable, unref'd deadline of a connection: it never
 * keeps the process alive. `start` arms it; restarting with the same
 * duration re-arms the Node timer it already has (`refresh()`, nothing
 * allocated per request). `stop` only disarms it: a timer that fires
 * disarmed does nothing. `dispose` clears it for good, so a closed
 * connection leaves no timer behind. A timeout of 0 (or anything not
 * above 0) means no timer at all.
 */
export class ConnTimer {
  #timer: NodeJS.Timeout | null = null;
  #ms = 0;
  #onTimeout: (() => void) | null = null; // armed while set

  readonly #fire = () => {
    const onTimeout = this.#onTimeout;
    this.#onTimeout = null;
    onTimeout?.();
  };

  /** True while a timer is armed. */
  get armed(): boolean {
    return this.#onTimeout !== null;
  }

  /** start arms the timer to call `onTimeout` after `ms`, replacing what was armed. */
  start(ms: number, onTimeout: () => void): void {
    if (!(ms > 0)) {
      this.stop();
      return;
    }
    this.#onTimeout = onTimeout;
    if (this.#timer !== null && this.#ms === ms) {
      this.#timer.refresh();
      return;
    }
    this.#clear();
    this.#ms = ms;
    this.#timer = setTimeout(this.#fire, ms).unref();
  }

  /** refresh restarts the armed timer's full period (activity seen); it does nothing when none is armed. */
  refresh(): void {
    if (this.#onTimeout !== null) this.#timer?.refresh();
  }

  /** stop disarms the timer, if armed. */
  stop(): void {
    this.#onTimeout = null;
  }

  /** dispose disarms and clears the timer: nothing of it is left scheduled. */
  dispose(): void {
    this.#onTimeout = null;
    this.#clear();
  }

  #clear(): void {
    if (this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#timer = null;
  }
}
