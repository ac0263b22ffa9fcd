import type { Picker } from './policy.js';
import type { Target } from './target.js';

/**
 * LeastOutstanding picks the candidate with the fewest round trips waiting
 * for a response head per unit of weight (pipelined or concurrent ones
 * alike). Ties are broken in turn, starting one further each pick, so
 * that sequential traffic still spreads.
 */
export class LeastOutstanding implements Picker {
  #next = 0;

  pick(candidates: readonly Target[], _req: unknown, now: number): Target {
    const n = candidates.length;
    const start = this.#next++ % n;
    if (this.#next >= 0x3fffffff) this.#next = 0;
    let best = candidates[start]!;
    let bestLoad = best.load(now);
    for (let i = 1; i < n; i++) {
      const t = candidates[(start + i) % n]!;
      const l = t.load(now);
      if (l < bestLoad) {
        best = t;
        bestLoad = l;
      }
    }
    return best;
  }
}
