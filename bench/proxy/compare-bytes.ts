/**
 * `node --import tsx bench/proxy/compare-bytes.ts <kind>...`: the 100 MiB
 * download alone, for profiling and before/after comparisons, without the
 * wrk rounds of `npm run bench -- proxy`. Each kind is a serve-proxy.ts
 * kind, `go`, or `<kind>@<dir>` for serve-proxy.ts of another checkout
 * (built: `git archive <commit> | tar -x -C dir`, `npx tsc` there), e.g.
 * `httpwire@/tmp/main` against `httpwire`. Same layout as the bench (one
 * backend, every proxy on CPU 0, curl on CPU 1), ROUNDS (default 7)
 * interleaved rounds after one warm-up download each. Per kind it prints
 * the median MB/s, the median CPU time per download (the proxy's
 * `process.cpuUsage()`), the median minor page faults per download
 * (/proc/<pid>/stat, Linux) and the first kind's MB/s over this one's:
 * median of same-round ratios [range]. `PROF=<dir>` runs the httpwire
 * kinds with `--cpu-prof` into `<dir>` (written when they exit at the end).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Child, spawnPinned, TESTED_CPU } from '../conn/child.js';
import { envNumber, median } from '../conn/rounds.js';
import { download } from './download.js';
import { buildGoProxy, type GoProxy } from './go-proxy.js';

interface Started {
  kind: string;
  child: Child;
  process: ChildProcess;
  port: number;
  rates: number[];
  cpu: number[];
  faults: number[];
}

const rounds = envNumber('ROUNDS', 7);
const kinds = process.argv.slice(2);
const here = (script: string) => fileURLToPath(new URL(script, import.meta.url));

/** minorFaults reads a process's minor page faults so far (field 10 of /proc/<pid>/stat). */
function minorFaults(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

async function start(kind: string, command: string[]): Promise<Started> {
  const process = spawnPinned(TESTED_CPU, command);
  const child = new Child(process);
  const { port } = await child.nextJSON<{ port: number }>();
  return { kind, child, process, port, rates: [], cpu: [], faults: [] };
}

function node(script: string, args: string[], profile: boolean): string[] {
  const prof =
    profile && process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : [];
  return [process.execPath, ...prof, '--no-deprecation', '--import', 'tsx', script, ...args];
}

async function cpuMicros(child: Child): Promise<number> {
  child.send('cpu');
  const { user, system } = await child.nextJSON<NodeJS.CpuUsage>();
  return user + system;
}

const backend = await start('backend', node(here('backend.ts'), [], false));
let go: GoProxy | null = null;
const started: Started[] = [];
try {
  for (const kind of kinds) {
    if (kind === 'go') {
      const built = buildGoProxy();
      if ('skipped' in built) throw new Error(built.skipped);
      go = built;
      started.push(await start(kind, [go.binary, String(backend.port)]));
      continue;
    }
    const [name, dir] = kind.split('@') as [string, string | undefined];
    const script = dir === undefined ? here('serve-proxy.ts') : `${dir}/bench/proxy/serve-proxy.ts`;
    const command = node(script, [name, String(backend.port)], name.startsWith('httpwire'));
    started.push(await start(kind, command));
  }
  for (const p of started) await download(p.port);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < started.length; k++) {
      const p = started[(round + k) % started.length]!;
      const cpu = await cpuMicros(p.child);
      const faults = minorFaults(p.process.pid!);
      p.rates.push(await download(p.port));
      p.faults.push(minorFaults(p.process.pid!) - faults);
      p.cpu.push((await cpuMicros(p.child)) - cpu);
    }
  }
  const first = started[0]!;
  for (const p of started) {
    const ratios = first.rates.map((rate, i) => rate / p.rates[i]!);
    const range = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
    process.stdout.write(
      `${p.kind.padEnd(24)} ${(median(p.rates) / 1e6).toFixed(0).padStart(5)} MB/s` +
        `  CPU ${(median(p.cpu) / 1000).toFixed(0).padStart(4)} ms` +
        `  faults ${String(median(p.faults)).padStart(6)}` +
        `  ${first.kind} ÷ this ${median(ratios).toFixed(2)}× [${range}]\n`,
    );
  }
} finally {
  // Closing stdin lets each child exit on its own, so a --cpu-prof run writes its profile.
  for (const p of [backend, ...started]) {
    const exited = new Promise((resolve) => p.process.once('exit', resolve));
    p.process.stdin!.end();
    await exited;
  }
  go?.dispose();
}
