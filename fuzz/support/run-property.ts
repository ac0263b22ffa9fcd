import fc from 'fast-check';
import { it } from 'vitest';

/** FUZZ_MS: how long each property runs, in milliseconds (env `FUZZ_MS`, default 3000). */
export const FUZZ_MS = Number(process.env.FUZZ_MS ?? 3000);

/** How long a failure found in the time box may spend shrinking to a small counterexample. */
const SHRINK_MS = 20_000;

function randomSeed(): number {
  return (Date.now() ^ (Math.random() * 0x100000000)) | 0;
}

/**
 * runProperty runs `property` for FUZZ_MS (or replays one case when
 * `FUZZ_SEED` and `FUZZ_PATH` are set), logs the seed and how many inputs
 * were tried, and throws fast-check's report with a replay command when the
 * property fails. `name` is the vitest test name, used in that command.
 */
export function runProperty<Ts extends [unknown, ...unknown[]]>(
  name: string,
  property: fc.IProperty<Ts>,
): void {
  const seed = process.env.FUZZ_SEED === undefined ? randomSeed() : Number(process.env.FUZZ_SEED);
  const replayPath = process.env.FUZZ_PATH;
  const started = performance.now();
  let details = fc.check(property, {
    seed,
    path: replayPath,
    numRuns: replayPath === undefined ? Number.MAX_SAFE_INTEGER : 1,
    interruptAfterTimeLimit: FUZZ_MS,
  });
  const tried = details.numRuns;
  if (details.failed && details.interrupted && details.counterexamplePath !== null) {
    // The time box cut the shrinking short: replay the failure and shrink it on its own budget.
    details = fc.check(property, {
      seed,
      path: details.counterexamplePath,
      interruptAfterTimeLimit: SHRINK_MS,
    });
  }
  const elapsed = Math.round(performance.now() - started);
  console.log(`${name}: seed ${seed}, ${tried} inputs in ${elapsed} ms`);
  if (!details.failed) return;
  const replay = `FUZZ_SEED=${seed} FUZZ_PATH=${details.counterexamplePath} npx vitest run fuzz -t '${name}'`;
  throw new Error(`${fc.defaultReportMessage(details)}\n\nReplay with: ${replay}`);
}

/** fuzzTest declares a vitest test that runs a property through `runProperty`. */
export function fuzzTest<Ts extends [unknown, ...unknown[]]>(
  name: string,
  property: () => fc.IProperty<Ts>,
): void {
  it(name, () => runProperty(name, property()), FUZZ_MS + SHRINK_MS + 10_000);
}
