/**
 * Runs the benches: `npm run bench [-- [filter...] [--json] [--rounds N]
 * [--round-ms N] [--warmup-ms N] [--quick]]`. A filter `name` runs the
 * `bench/*.bench.ts` files whose name contains it; `name/sample` also keeps
 * only the samples whose name contains `sample`. Tables go to stdout, or to
 * stderr under `--json`, which prints one JSON document to stdout at the end.
 */
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Bench } from './bench.js';
import { machine } from './report.js';

const SUFFIX = '.bench.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    'round-ms': { type: 'string' },
    'warmup-ms': { type: 'string' },
  },
});

/** Defaults keep `npm run bench` under two minutes on 2 cores; --quick is a smoke test. */
const defaults = values.quick
  ? { rounds: 3, roundMs: 50, warmupMs: 50 }
  : { rounds: 15, roundMs: 150, warmupMs: 300 };
const timing = {
  rounds: positiveNumber('rounds', values.rounds, defaults.rounds),
  roundMs: positiveNumber('round-ms', values['round-ms'], defaults.roundMs),
  warmupMs: positiveNumber('warmup-ms', values['warmup-ms'], defaults.warmupMs),
};

function positiveNumber(name: string, given: string | undefined, fallback: number): number {
  if (given === undefined) return fallback;
  const n = Number(given);
  if (!(n > 0)) throw new Error(`--${name} wants a positive number, got ${given}`);
  return n;
}

const filters = (positionals.length > 0 ? positionals : ['']).map((f) => {
  const slash = f.indexOf('/');
  return slash < 0
    ? { bench: f, sample: '' }
    : { bench: f.slice(0, slash), sample: f.slice(slash + 1) };
});

const names = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith(SUFFIX))
  .map((f) => f.slice(0, -SUFFIX.length))
  .sort();
const selected = names.flatMap((name) => {
  const filter = filters.find((f) => name.includes(f.bench));
  return filter === undefined ? [] : [{ name, sampleFilter: filter.sample }];
});
if (selected.length === 0) {
  throw new Error(`no bench matches ${positionals.join(' ')}; have ${names.join(', ')}`);
}

const print = values.json
  ? (line: string) => process.stderr.write(`${line}\n`)
  : (line: string) => process.stdout.write(`${line}\n`);
const host = machine();
print(
  `${host.cpu}, ${host.cores} cores (allowed: ${host.allowedCpus ?? 'n/a'}), ${host.os}\n` +
    `node ${host.node}, llhttp ${host.llhttp}; ${timing.rounds} rounds of ${timing.roundMs} ms ` +
    `per contender after ${timing.warmupMs} ms warm-up; medians`,
);

const results: Record<string, unknown> = {};
for (const { name, sampleFilter } of selected) {
  const { bench } = (await import(`./${name}${SUFFIX}`)) as { bench: Bench };
  print(`\n== ${bench.name} ==`);
  results[bench.name] = await bench.run({ ...timing, sampleFilter, print });
}
if (values.json) {
  process.stdout.write(`${JSON.stringify({ machine: host, timing, results }, null, 2)}\n`);
}
