import type { ResponseWriter } from '../server/handler.js';

/**
 * MaxLatencyWriter writes a proxied body to a ResponseWriter and flushes it
 * at most `latency` ms after a write (Go's maxLatencyWriter): negative
 * flushes after every write, 0 never flushes on its own. `stop()` cancels a
 * pending flush; its timer is unref'd so it never keeps the process alive.
 */
export class MaxLatencyWriter {
  readonly #dst: ResponseWriter;
  readonly #latency: number;
  #timer: NodeJS.Timeout | null = null;
  #flushPending = false;
  #failed: Error | null = null; // a delayed flush that failed; reported by the next write

  constructor(dst: ResponseWriter, latency: number) {
    this.#dst = dst;
    this.#latency = latency;
  }

  /** write writes `chunk` and flushes now or schedules a flush, per the latency. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.#failed !== null) throw this.#failed;
    await this.#dst.write(chunk);
    if (this.#latency < 0) {
      await this.#dst.flush();
      return;
    }
    if (this.#latency === 0 || this.#flushPending) return;
    this.#flushPending = true;
    if (this.#timer === null) {
      this.#timer = setTimeout(() => this.#delayedFlush(), this.#latency);
      this.#timer.unref();
    } else {
      this.#timer.refresh();
    }
  }

  /** stop cancels a scheduled flush. */
  stop(): void {
    this.#flushPending = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #delayedFlush(): void {
    if (!this.#flushPending) return;
    this.#flushPending = false;
    this.#dst.flush().catch((err: unknown) => {
      this.#failed = err as Error;
    });
  }
}
