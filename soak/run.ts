/**
 * The soak run: `npm run soak`, for `SOAK_S` seconds (default 300). The
 * backend (backend.ts) and the proxy under test (proxy.ts) run in child
 * processes; this process is the load (load.ts). Every 10 s it prints one
 * line of the window table (report.ts); at the end a summary (summary.ts), and it exits
 * with 1 if a rule of verdict.ts was broken. `SOAK_SEED` replays a run's
 * plans. Ctrl-C stops the children and exits with 130.
 */
import os from 'node:os';
import { machine } from '../bench/report.js';
import { type SoakChild, startChild, stopChildren } from './children.js';
import { Load } from './load.js';
import { judgeMemory } from './memory-trend.js';
import { Planner } from './planner.js';
import { memoryLine, windowHeader, windowLine } from './report.js';
import { Stats } from './stats.js';
import { summaryLines } from './summary.js';
import { failuresOf } from './verdict.js';

const WINDOW_MS = 10_000;
/**
 * WARM_UP_SHARE, MIN_WARM_UP_S: the start of the run left out of the memory
 * trend, while the proxy's heap climbs to its plateau: the first 20%, and
 * never less than 30 s.
 */
const WARM_UP_SHARE = 0.2;
const MIN_WARM_UP_S = 30;
/** DRAIN_MS: how long the proxy may take to see every client connection closed. */
const DRAIN_MS = 10_000;

const durationS = Number(process.env.SOAK_S ?? 300);
if (!(durationS > 0))
  throw new Error(`SOAK_S wants a positive number of seconds, got ${process.env.SOAK_S}`);
const seed = Number(process.env.SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
if (!Number.isSafeInteger(seed))
  throw new Error(`SOAK_SEED wants an integer, got ${process.env.SOAK_SEED}`);

const print = (line: string) => process.stdout.write(`${line}\n`);

process.once('SIGINT', () => {
  print('interrupted: stopping the proxy and the backend');
  void stopChildren().then(() => process.exit(130));
});

const host = machine();
print(
  `soak: ${durationS} s, seed ${seed} (SOAK_SEED=${seed} replays the plans); ` +
    `${host.cpu}, ${host.cores} cores, node ${host.node}, ${host.os}; ` +
    `1-minute load average ${os.loadavg()[0]!.toFixed(2)} (other work skews the rates and latencies)`,
);
const backend = await startChild('backend', 'backend.ts', []);
const proxy = await startChild('proxy', 'proxy.ts', [String(backend.port)]);
const load = new Load(proxy.port);
print(
  `proxy (httpwire) on 127.0.0.1:${proxy.port}, backend (node:http) on 127.0.0.1:${backend.port}`,
);
print(`clients:\n${load.describe().join('\n')}`);
const idle = proxy.latest;
print(`proxy memory before the load: ${memoryLine(idle)}\n`);
print(windowHeader());

const stats = new Stats();
const started = performance.now();
const endAt = started + durationS * 1000;
const elapsedS = () => (performance.now() - started) / 1000;
const printWindow = (label: string) =>
  print(windowLine(label, stats.takeWindow(), proxy.latest, backend.latest));
const ticker = setInterval(() => printWindow(`${Math.round(elapsedS())}s`), WINDOW_MS);
await load.run(new Planner(seed), stats, () => performance.now() < endAt);
clearInterval(ticker);
printWindow('end');

const openAfter = await drained(proxy);
const end = await proxy.sample();
const backendEnd = await backend.sample();
const warmUpS = Math.max(durationS * WARM_UP_SHARE, MIN_WARM_UP_S);
const warmUpEnd = started + warmUpS * 1000;
const points = proxy.samples.map(({ atMs, sample }) => ({ atMs, ...sample }));
const memory = judgeMemory(points, warmUpEnd, endAt);
const afterWarmUp = proxy.samples.find((s) => s.atMs >= warmUpEnd)?.sample ?? end;
const failures = failuresOf({ total: stats.total, memory, openAfter });

const summary = summaryLines({
  tookS: elapsedS(),
  durationS,
  seed,
  warmUpS,
  total: stats.total,
  memory,
  idle,
  afterWarmUp,
  end,
  backendEnd,
  openAfter,
});
print(`\n${summary.join('\n')}`);
print(failures.length === 0 ? '\nPASS' : `\nFAIL:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
await stopChildren();
process.exit(failures.length === 0 ? 0 : 1);

/** drained waits up to DRAIN_MS for the proxy to see every client connection closed; it returns how many are left. */
async function drained(child: SoakChild): Promise<number> {
  const deadline = performance.now() + DRAIN_MS;
  for (;;) {
    const { open } = await child.sample();
    if (open === 0 || performance.now() >= deadline) return open;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
