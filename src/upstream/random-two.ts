import type { Picker } from './policy.js';
import type { Target } from './target.js';

/**
 * RandomTwo is the power of two random choices: draw two distinct
 * candidates at random (in proportion to weight) and take the one with
 * less outstanding work per unit of weight. Nearly as even as
 * least-outstanding, without every proxy instance herding onto the same
 * idle target.
 */
export class RandomTwo implements Picker {
  pick(candidates: readonly Target[], _req: unknown, now: number): Target {
    if (candidates.length === 1) return candidates[0]!;
    const a = weightedDraw(candidates, null, now);
    const b = weightedDraw(candidates, a, now);
    return b.load(now) < a.load(now) ? b : a;
  }
}

/** weightedDraw draws a candidate other than `skip` with probability in proportion to its weight. */
function weightedDraw(candidates: readonly Target[], skip: Target | null, now: number): Target {
  let total = 0;
  for (const t of candidates) if (t !== skip) total += t.effectiveWeight(now);
  let r = Math.random() * total;
  let last = candidates[0]!;
  for (const t of candidates) {
    if (t === skip) continue;
    last = t;
    r -= t.effectiveWeight(now);
    if (r < 0) return t;
  }
  return last; // rounding at the very end
}
