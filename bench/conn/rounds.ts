/**
 * Rounds for the connection benches: every contender gets one turn per
 * round, in an order that rotates from round to round, so drift on a shared
 * machine falls on all of them alike. Rates are medians over rounds; ratios
 * are medians of same-round ratios (see harness.ts's pairedRatio).
 */

/** Rated: one contender's rate in every round, in round order. */
export interface Rated {
  name: string;
  rounds: number[];
}

/** runRounds runs `turn` for every contender in every round and returns their rates. */
export async function runRounds<C extends { name: string }>(
  contenders: readonly C[],
  rounds: number,
  turn: (contender: C) => Promise<number>,
): Promise<Rated[]> {
  const rated = contenders.map((c) => ({ name: c.name, rounds: [] as number[] }));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (round + k) % contenders.length;
      rated[i]!.rounds.push(await turn(contenders[i]!));
    }
  }
  return rated;
}

/** median of `values`, which it does not modify. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return (sorted[Math.floor(mid)]! + sorted[Math.ceil(mid)]!) / 2;
}

/** spread is the range over the median: how far apart the rounds landed. */
export function spread(values: readonly number[]): number {
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

/** ratio is the median over rounds of `a`'s rate over `b`'s in the same round. */
export function ratio(a: Rated, b: Rated): number {
  return median(a.rounds.map((rate, round) => rate / b.rounds[round]!));
}

/** formatRatio prints a ratio as `1.23×`. */
export function formatRatio(r: number): string {
  return `${r.toFixed(2)}×`;
}

/** durations reads the turn length and round count from the environment. */
export function durations(quick: boolean): { seconds: number; rounds: number } {
  return {
    seconds: envNumber('CONN_BENCH_SECONDS', quick ? 1 : 4),
    rounds: envNumber('CONN_BENCH_ROUNDS', quick ? 1 : 3),
  };
}

/** envNumber reads a positive number from `name`, else `fallback`. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n > 0)) throw new Error(`${name} wants a positive number, got ${raw}`);
  return n;
}
