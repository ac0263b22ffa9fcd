/**
 * The load's mix: Planner draws request plans from a seeded generator, so a
 * run's sequence of plans can be replayed with `SOAK_SEED` (the order in
 * which workers take them still depends on timing).
 */
import { seededRandom } from '../test/helpers/seeded-random.js';
import { type Abort, LARGE_BYTES, type Plan, type Route } from './routes.js';

/** Mix: what kind of requests a client may be given. */
export interface Mix {
  /** GET routes only (no uploads). */
  getOnly: boolean;
  /** Share of requests, 0 to 1, that the client abandons on purpose. */
  abortShare: number;
}

/** WEIGHTS: how often each route comes up, out of their sum. */
const WEIGHTS: readonly [Route, number][] = [
  ['small', 35],
  ['large', 8],
  ['chunked', 15],
  ['echo', 17],
  ['slow', 15],
  ['close', 10],
];

/** Planner hands out plans with ids 1, 2, 3, ... */
export class Planner {
  readonly #random: () => number;
  #nextId = 1;

  constructor(seed: number) {
    this.#random = seededRandom(seed);
  }

  /** next draws the next plan for a client with mix `mix`. */
  next(mix: Mix): Plan {
    const id = this.#nextId++;
    if (mix.abortShare > 0 && this.#random() < mix.abortShare) return this.#aborted(id, mix);
    const route = this.#route(mix);
    const plan: Plan = { id, route, length: 0, delayMs: 0, uploadChunked: false, abort: null };
    switch (route) {
      case 'small':
        plan.length = this.#int(0, 4096);
        break;
      case 'large':
        plan.length = LARGE_BYTES;
        break;
      case 'chunked':
        plan.length = this.#int(1, 256 * 1024);
        break;
      case 'echo':
        plan.length = this.#random() < 0.7 ? this.#int(0, 8192) : this.#int(64 * 1024, LARGE_BYTES);
        plan.uploadChunked = this.#random() < 0.5;
        break;
      case 'slow':
        plan.length = this.#int(0, 1024);
        plan.delayMs = this.#int(5, 50);
        break;
      case 'close':
        plan.length = this.#int(0, 2048);
        break;
    }
    return plan;
  }

  /** #aborted plans a large download, or a large upload, given up half-way at most. */
  #aborted(id: number, mix: Mix): Plan {
    const upload = !mix.getOnly && this.#random() < 0.5;
    const abort: Abort = {
      during: upload ? 'upload' : 'download',
      afterBytes: this.#int(1, LARGE_BYTES / 2),
    };
    return {
      id,
      route: upload ? 'echo' : 'large',
      length: LARGE_BYTES,
      delayMs: 0,
      uploadChunked: upload && this.#random() < 0.5,
      abort,
    };
  }

  #route(mix: Mix): Route {
    const weights = mix.getOnly ? WEIGHTS.filter(([route]) => route !== 'echo') : WEIGHTS;
    let pick = this.#random() * weights.reduce((sum, [, w]) => sum + w, 0);
    for (const [route, weight] of weights) {
      pick -= weight;
      if (pick < 0) return route;
    }
    return weights[weights.length - 1]![0];
  }

  /** #int draws an integer from `low` to `high`, both included. */
  #int(low: number, high: number): number {
    return low + Math.floor(this.#random() * (high - low + 1));
  }
}
