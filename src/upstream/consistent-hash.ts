import type { Request } from '../message/request.js';
import type { Picker } from './policy.js';
import type { Target } from './target.js';

/**
 * ConsistentHash is weighted rendezvous hashing (highest random weight):
 * each candidate scores `weight / -ln(h)` with `h` a stable 32-bit hash of
 * the key and the target's URL, and the highest score wins. The same key
 * picks the same target in every process; a target leaving (removed,
 * ejected, unhealthy) moves only the keys it held, which come back to it
 * when it returns. Slow start does not apply: keys must not wander.
 */
export class ConsistentHash implements Picker {
  readonly #hash: (req: Request) => string;
  readonly #seeds = new WeakMap<Target, number>(); // each target's URL hash, computed once

  constructor(hash: (req: Request) => string) {
    this.#hash = hash;
  }

  pick(candidates: readonly Target[], req: Request): Target {
    const key = fnv1a(String(this.#hash(req)), 0x811c9dc5);
    let best = candidates[0]!;
    let bestScore = -1;
    for (const t of candidates) {
      let seed = this.#seeds.get(t);
      if (seed === undefined) {
        seed = fnv1a(t.key, 0x811c9dc5);
        this.#seeds.set(t, seed);
      }
      // (h + 0.5) / 2^32 is in (0, 1): -ln of it is positive and finite.
      const h = (mix32(key ^ Math.imul(seed, 0x9e3779b1)) + 0.5) / 4294967296;
      const score = t.weight / -Math.log(h);
      if (score > bestScore) {
        best = t;
        bestScore = score;
      }
    }
    return best;
  }
}

/** fnv1a: 32-bit FNV-1a over the UTF-16 code units of `text`. */
function fnv1a(text: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mix32: MurmurHash3's finalizer, so that nearby inputs give unrelated outputs. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
