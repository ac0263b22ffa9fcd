import fc from 'fast-check';
import { it } from 'vitest';

/** FUZZ_MS: how long each property runs, in milliseconds (env `FUZZ_MS`, default 3000). */
export const FUZZ_MS = Number(process.env.FUZZ_MS ?? 3000);

/** How long a failure found in the time box may spend shrinking to a small counterexample. */
const SHRINK_MS = 5_000;

/** The seed used by `npm test`, so that the default test run is repeatable; `npm run fuzz` draws new seeds. */
const DEFAULT_SEED = 20261121;

function chooseSeed(): number {
  if (process.env.FUZZ_SEED !== undefined) return Number(process.env.FUZZ_SEED);
  if (process.env.FUZZ_RANDOM !== '1') return DEFAULT_SEED;
  return (Date.now() ^ (Math.random() * 0x100000000)) | 0;
}

/**
 * runProperty runs `property` for FUZZ_MS (or replays one case when
 * `FUZZ_SEED` and `FUZZ_PATH` are set), logs the seed and how many inputs
 * were tried, and throws fast-check's report with a replay command when the
 * property fails. `name` is the vitest test name, used in that command;
 * `explain`, when given, adds its account of the counterexample to the report.
 */
export function runProperty<Ts extends [unknown, ...unknown[]]>(
  name: string,
  property: fc.IProperty<Ts>,
  explain?: (counterexample: Ts) => string,
): void {
  const seed = chooseSeed();
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
  const account = explain && details.counterexample ? `\n\n${explain(details.counterexample)}` : '';
  throw new Error(`${fc.defaultReportMessage(details)}${account}\n\nReplay with: ${replay}`);
}

/** fuzzTest declares a vitest test that runs a property through `runProperty`. */
export function fuzzTest<Ts extends [unknown, ...unknown[]]>(
  name: string,
  property: () => fc.IProperty<Ts>,
  explain?: (counterexample: Ts) => string,
): void {
  it(name, () => runProperty(name, property(), explain), FUZZ_MS + SHRINK_MS + 20_000);
}
