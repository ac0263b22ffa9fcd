/**
 * AbortWatch is what the transport needs of an abort: whether and why it
 * happened, and a callback when it does. An AbortSignal costs a lot per
 * request in Node (an EventTarget, listener records, GC tracking), so the
 * server gives each request a LazyAbort and makes the signal only when
 * someone asks for it.
 */
export interface AbortWatch {
  readonly aborted: boolean;
  /** Why it aborted; undefined until it has. */
  readonly reason: unknown;
  /** watch calls `onAbort` once when it aborts (not if it already has: check `aborted` first). */
  watch(onAbort: () => void): void;
  /** unwatch forgets `onAbort`; unknown callbacks are ignored. */
  unwatch(onAbort: () => void): void;
}

/**
 * LazyAbort is an abort whose AbortSignal is created on first use of
 * `signal`; watchers are plain callbacks, called in order once `abort()`
 * runs.
 */
export class LazyAbort implements AbortWatch {
  #aborted = false;
  #reason: unknown = undefined;
  #controller: AbortController | null = null;
  #watchers: (() => void)[] | null = null;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** signal is an AbortSignal that follows this abort (already aborted if it has). */
  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** abort aborts with `reason`: the watchers run, then the signal's listeners; later calls do nothing. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const watchers = this.#watchers;
    this.#watchers = null;
    if (watchers !== null) for (const onAbort of watchers) onAbort();
    this.#controller?.abort(reason);
  }

  watch(onAbort: () => void): void {
    if (this.#aborted) return;
    (this.#watchers ??= []).push(onAbort);
  }

  unwatch(onAbort: () => void): void {
    const watchers = this.#watchers;
    if (watchers === null) return;
    const at = watchers.indexOf(onAbort);
    if (at !== -1) watchers.splice(at, 1);
  }
}

/** watchSignal adapts an AbortSignal to AbortWatch. */
export function watchSignal(signal: AbortSignal): AbortWatch {
  return new SignalWatch(signal);
}

class SignalWatch implements AbortWatch {
  readonly #signal: AbortSignal;

  constructor(signal: AbortSignal) {
    this.#signal = signal;
  }

  get aborted(): boolean {
    return this.#signal.aborted;
  }

  get reason(): unknown {
    return this.#signal.reason;
  }

  watch(onAbort: () => void): void {
    this.#signal.addEventListener('abort', onAbort, { once: true });
  }

  unwatch(onAbort: () => void): void {
    this.#signal.removeEventListener('abort', onAbort);
  }
}
