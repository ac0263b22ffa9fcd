import type { TimingOptions } from './harness.js';

/** BenchOptions: what `run.ts` hands every bench. */
export interface BenchOptions extends TimingOptions {
  /** Only samples whose name contains this run; '' runs all. */
  sampleFilter: string;
  /** Writes one human-readable line (to stdout, or stderr under --json). */
  print(line: string): void;
}

/**
 * Bench is what every `bench/*.bench.ts` exports as `bench`. `run` prints its
 * tables as it goes and returns a JSON-serialisable report.
 */
export interface Bench {
  name: string;
  run(options: BenchOptions): Promise<unknown> | unknown;
}
