import type { Picker } from './policy.js';
import type { Target } from './target.js';

/**
 * SmoothRoundRobin is nginx's smooth weighted round-robin: each pick adds
 * every candidate's weight to its running weight, takes the largest and
 * subtracts the total from it. Weights 5:1:1 give a a b a c a a, never the
 * heavy target five times in a row. Eased-in targets count with their
 * reduced weight.
 */
export class SmoothRoundRobin implements Picker {
  pick(candidates: readonly Target[], _req: unknown, now: number): Target {
    let best = candidates[0]!;
    let total = 0;
    for (const t of candidates) {
      const w = t.effectiveWeight(now);
      t.current += w;
      total += w;
      if (t.current > best.current) best = t;
    }
    best.current -= total;
    return best;
  }
}
