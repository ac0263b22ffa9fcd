import type { Socket } from 'node:net';

/** A sweep looks at its sockets this many times per idle period. */
const SLICES = 4;

/** One watched socket: what it had moved at the last look, and how many looks since it moved. */
interface Watch {
  readonly socket: Socket;
  readonly onIdle: () => void;
  moved: number;
  quiet: number;
}

const sweeps = new Map<number, IdleSweep>();

/**
 * IdleSweep closes long-lived connections that moved no byte for `ms`
 * (a tunnel's idle timeout) with one Node timer for all of them, instead
 * of a socket timeout per connection refreshed on every read and write.
 * It looks every `ms / 4` at each socket's `bytesRead + bytesWritten`: a
 * socket is idle, and `onIdle` is called, after four looks with no
 * change, between `ms` and 1.25 × `ms` after its last byte. The timer is
 * unreferenced and runs, and the sweep exists, only while something is
 * watched.
 */
export class IdleSweep {
  readonly #ms: number;
  readonly #watched = new Set<Watch>();
  #timer: NodeJS.Timeout | null = null;

  private constructor(ms: number) {
    this.#ms = ms;
  }

  /** of returns the sweep for `ms` (> 0), shared by everything watched for that long. */
  static of(ms: number): IdleSweep {
    let sweep = sweeps.get(ms);
    if (sweep === undefined) {
      sweep = new IdleSweep(ms);
      sweeps.set(ms, sweep);
    }
    return sweep;
  }

  /** watch calls `onIdle` once `socket` moved no byte either way for the sweep's period; the result stops watching. */
  watch(socket: Socket, onIdle: () => void): () => void {
    const watch: Watch = {
      socket,
      onIdle,
      moved: socket.bytesRead + socket.bytesWritten,
      quiet: 0,
    };
    this.#watched.add(watch);
    this.#timer ??= setInterval(() => this.#sweep(), Math.max(1, this.#ms / SLICES)).unref();
    return () => this.#unwatch(watch);
  }

  #sweep(): void {
    for (const watch of this.#watched) {
      const moved = watch.socket.bytesRead + watch.socket.bytesWritten;
      if (moved !== watch.moved) {
        watch.moved = moved;
        watch.quiet = 0;
      } else if (++watch.quiet >= SLICES) {
        this.#unwatch(watch);
        watch.onIdle();
      }
    }
  }

  #unwatch(watch: Watch): void {
    if (!this.#watched.delete(watch) || this.#watched.size > 0) return;
    clearInterval(this.#timer!);
    this.#timer = null;
    if (sweeps.get(this.#ms) === this) sweeps.delete(this.#ms); // an unused duration leaves nothing
  }
}
