import type { Request } from '../message/request.js';
import type { Target } from './target.js';
import { ConsistentHash } from './consistent-hash.js';
import { FirstAvailable } from './first-available.js';
import { LeastOutstanding } from './least-outstanding.js';
import { RandomTwo } from './random-two.js';
import { SmoothRoundRobin } from './smooth-round-robin.js';

/**
 * UpstreamPolicy: how Upstreams picks a target. `'round-robin'` (weighted,
 * smooth), `'least-outstanding'`, `'random-two'`, `'first'`, or
 * `{ hash(req) }` for consistent hashing on a key of the request.
 */
export type UpstreamPolicy =
  'round-robin' | 'least-outstanding' | 'random-two' | 'first' | { hash(req: Request): string };

/** Picker: a policy's implementation. */
export interface Picker {
  /** pick chooses one of `candidates`: non-empty, every one available, in the order targets were added. */
  pick(candidates: readonly Target[], req: Request, now: number): Target;
}

/** newPicker returns the implementation of `policy`; an unknown name throws a TypeError. */
export function newPicker(policy: UpstreamPolicy): Picker {
  if (typeof policy === 'object' && policy !== null && typeof policy.hash === 'function') {
    return new ConsistentHash(policy.hash);
  }
  switch (policy) {
    case 'round-robin':
      return new SmoothRoundRobin();
    case 'least-outstanding':
      return new LeastOutstanding();
    case 'random-two':
      return new RandomTwo();
    case 'first':
      return new FirstAvailable();
    default:
      throw new TypeError(`unknown upstream policy ${JSON.stringify(policy)}`);
  }
}
