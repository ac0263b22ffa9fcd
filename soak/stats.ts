/**
 * Counts of the load's outcomes, for each 10 s window and for the whole run:
 * requests verified ok, requests aborted on purpose, errors by kind, and
 * the latencies of the ok ones.
 */
import type { Outcome } from './outcome.js';

/** Tally: the outcomes of one stretch of time. */
export interface Tally {
  ok: number;
  aborted: number;
  /** Error counts by kind, in order of first appearance. */
  errors: Map<string, number>;
  /** Latencies of the ok requests in ms, in no particular order. */
  latencies: number[];
}

function emptyTally(): Tally {
  return { ok: 0, aborted: 0, errors: new Map(), latencies: [] };
}

/** Stats keeps the tally of the current window and of the whole run. */
export class Stats {
  #window: Tally = emptyTally();
  readonly #total: Tally = emptyTally();

  /** record counts one outcome. */
  record(outcome: Outcome): void {
    for (const tally of [this.#window, this.#total]) {
      switch (outcome.kind) {
        case 'ok':
          tally.ok++;
          tally.latencies.push(outcome.ms);
          break;
        case 'aborted':
          tally.aborted++;
          break;
        case 'error':
          tally.errors.set(outcome.error, (tally.errors.get(outcome.error) ?? 0) + 1);
          break;
      }
    }
  }

  /** takeWindow returns the current window's tally and starts a new window. */
  takeWindow(): Tally {
    const window = this.#window;
    this.#window = emptyTally();
    return window;
  }

  /** total is the tally of the whole run so far. */
  get total(): Tally {
    return this.#total;
  }
}

/** quantile returns the `q` quantile (0 to 1, nearest rank) of `values`, or NaN when empty; it sorts `values`. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  const rank = Math.ceil(q * values.length) - 1;
  return values[Math.min(values.length - 1, Math.max(0, rank))]!;
}
