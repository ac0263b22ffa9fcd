/**
 * The plan of a fault-injection run: which fault the backend applies to
 * each request, drawn from a seeded PRNG so that a run can be replayed
 * (`FAULT_SEED=<n>`), and the body each request must get back, which
 * names the request so that a response meant for another one is caught.
 */
import { seededRandom } from '../helpers/seeded-random.js';

/** Fault: what the backend does with one request (see FAULTS). */
export type Fault = keyof typeof FAULTS;

/** FAULTS: each fault with its weight in the plan and what the backend does. */
export const FAULTS = {
  ok: { weight: 30, does: 'answers 200 with a Content-Length body' },
  okChunked: { weight: 18, does: 'answers 200 with a chunked body in several writes' },
  refused: {
    weight: 5,
    does: 'is never reached: the director sends the request to a refusing port',
  },
  resetBeforeHead: { weight: 5, does: 'reads the request, then resets the connection' },
  resetMidHead: { weight: 5, does: 'sends part of the head, then resets' },
  resetMidBody: { weight: 5, does: 'sends the head and half the Content-Length body, then resets' },
  resetMidChunkedBody: { weight: 5, does: 'sends the head and some chunks, then resets' },
  stall: { weight: 4, does: 'never answers (past the response header timeout)' },
  badStatusLine: { weight: 4, does: 'answers with a malformed status line' },
  badChunkSize: { weight: 4, does: 'sends a chunk, then a chunk size that is not hex' },
  lengthAndChunked: { weight: 4, does: 'frames its answer with both Content-Length and chunked' },
  unsolicited: {
    weight: 7,
    does: 'answers, then at once sends a response nobody asked for (a 200 for another request, or a 408 and FIN)',
  },
} as const satisfies Record<string, { weight: number; does: string }>;

/** The seed of this run: `FAULT_SEED` from the environment, else a fixed one so CI repeats itself. */
export const SEED = Number(process.env.FAULT_SEED ?? 20240501);

/** planFaults draws one fault per request id, `count` of them, by weight. */
export function planFaults(seed: number, count: number): Fault[] {
  const random = seededRandom(seed);
  const entries = Object.entries(FAULTS) as [Fault, { weight: number }][];
  const total = entries.reduce((sum, [, { weight }]) => sum + weight, 0);
  return Array.from({ length: count }, () => {
    let pick = random() * total;
    for (const [fault, { weight }] of entries) {
      pick -= weight;
      if (pick < 0) return fault;
    }
    return entries[entries.length - 1]![0];
  });
}

/** pathOf is the request path of request `id`. */
export function pathOf(id: number): string {
  return `/r/${id}`;
}

/** idOf reads the request id back from a path made by `pathOf` (after any prefix); NaN if none. */
export function idOf(path: string): number {
  const at = path.lastIndexOf('/r/');
  return at === -1 ? NaN : Number(path.slice(at + 3));
}

/**
 * bodyOf is the body request `id` must receive: `id:<id>;` repeated, from
 * a few bytes to about 15 KiB, and about 150 KiB for every 97th request
 * (past the transport's 64 KiB body buffer).
 */
export function bodyOf(id: number): Buffer {
  const repeat = 1 + ((id * 7919) % 1500);
  return Buffer.from(`id:${id};`.repeat(id % 97 === 0 ? repeat * 10 : repeat), 'latin1');
}
