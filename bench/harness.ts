/**
 * Interleaved timing: every case runs in every round, in an order that
 * rotates from round to round, so drift (thermal, GC, JIT, neighbours) falls
 * on all cases alike. The reported rate is the median over rounds.
 */

/** TimedCase: `run` does one operation and returns how many units it produced. */
export interface TimedCase {
  name: string;
  run: () => number;
  /** Units every `run` must return; a mismatch aborts the bench. */
  unitsPerRun: number;
}

/** TimingOptions: all durations are per case. */
export interface TimingOptions {
  /** Time spent running each case before measuring. */
  warmupMs: number;
  /** Measured rounds; each case runs once per round. */
  rounds: number;
  /** Length of one case's turn in a round. */
  roundMs: number;
}

/** Timing: one case's operations per second. */
export interface Timing {
  name: string;
  /** Median over rounds. */
  opsPerSec: number;
  /** Interquartile range over median, over rounds: how much to trust `opsPerSec`. */
  spread: number;
  /** Every round's rate, in round order. */
  rounds: number[];
}

/** BATCH_NS: how long a batch of runs between two clock reads should take. */
const BATCH_NS = 1_000_000;

/**
 * timeInterleaved warms every case up, then times `rounds` rounds of every
 * case and returns one Timing per case, in the order given.
 */
export function timeInterleaved(cases: readonly TimedCase[], options: TimingOptions): Timing[] {
  const batches = cases.map((c) => calibrate(c, options.warmupMs));
  const rates: number[][] = cases.map(() => []);
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (round + k) % cases.length;
      rates[i]!.push(timeTurn(cases[i]!, batches[i]!, options.roundMs));
    }
  }
  return cases.map((c, i) => {
    const sorted = [...rates[i]!].sort((a, b) => a - b);
    const median = quantile(sorted, 0.5);
    return {
      name: c.name,
      opsPerSec: median,
      spread: (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / median,
      rounds: rates[i]!,
    };
  });
}

/** quantile interpolates the `q` quantile of ascending `sorted`. */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

/** calibrate runs `c` for about `warmupMs` and returns a batch size of about BATCH_NS. */
function calibrate(c: TimedCase, warmupMs: number): number {
  const rate = timeTurn(c, 1, warmupMs);
  return Math.max(1, Math.round((rate * BATCH_NS) / 1e9));
}

/** timeTurn runs `c` in batches for at least `ms` and returns its runs per second. */
function timeTurn(c: TimedCase, batch: number, ms: number): number {
  const budget = BigInt(Math.round(ms * 1e6));
  const { run, unitsPerRun } = c;
  let runs = 0;
  let units = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  do {
    for (let i = 0; i < batch; i++) units += run();
    runs += batch;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  if (units !== runs * unitsPerRun) {
    throw new Error(`${c.name}: produced ${units} units in ${runs} runs, want ${unitsPerRun} each`);
  }
  return (runs * 1e9) / Number(elapsed);
}

/**
 * pairedRatio is the median over rounds of `a`'s rate over `b`'s in the same
 * round. Both ran back to back, so a machine that speeds up or slows down
 * between rounds moves both and leaves the ratio alone.
 */
export function pairedRatio(a: Timing, b: Timing): number {
  const ratios = a.rounds.map((rate, round) => rate / b.rounds[round]!).sort((x, y) => x - y);
  return quantile(ratios, 0.5);
}
