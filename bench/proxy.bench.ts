/**
 * Reverse proxies: httpwire's ReverseProxy against node-http-proxy and an
 * undici Pool proxy (what @fastify/reply-from does), with a socket-to-socket
 * pipe as the ceiling. One node:http backend and every proxy run in their
 * own processes on one core, the load on the other: wrk, 50 keep-alive
 * connections, `hello world` through each proxy; then one 100 MiB download
 * at a time through each (curl). Go's httputil.ReverseProxy is an anchor
 * figure measured earlier, not here: there is no Go toolchain on this host.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Bench, BenchOptions } from './bench.js';
import { canPin, Child, PEER_CPU, spawnPinned, TESTED_CPU } from './conn/child.js';
import { envNumber, formatRatio, median, ratio, runRounds, spread } from './conn/rounds.js';
import { hasWrk, runWrk } from './conn/wrk.js';
import { checkHello } from './proxy/check.js';
import { download, hasCurl } from './proxy/download.js';
import { BIG_BODY_BYTES } from './proxy/load-shape.js';
import type { ProxyKind } from './proxy/proxies.js';
import { formatRate, formatTable } from './report.js';

const CONNECTIONS = 50;

/** GO_REQUESTS_PER_SEC: Go's httputil.ReverseProxy on one core, measured earlier on this machine; not measured by this bench. */
const GO_REQUESTS_PER_SEC = 24_000;

interface Contender {
  name: string;
  kind: ProxyKind;
}

const HTTPWIRE: Contender = { name: 'httpwire ReverseProxy', kind: 'httpwire' };
const HTTP_PROXY: Contender = { name: 'http-proxy', kind: 'http-proxy' };
const UNDICI: Contender = { name: 'undici Pool proxy', kind: 'undici' };
const PIPE: Contender = { name: 'socket pipe (no HTTP)', kind: 'pipe' };

const CONTENDERS: readonly Contender[] = [
  HTTPWIRE,
  { name: 'httpwire, default Transport', kind: 'httpwire-default' },
  HTTP_PROXY,
  UNDICI,
  PIPE,
];

/** Row: one proxy's rate, and httpwire's over it in the same rounds. */
export interface Row {
  proxy: string;
  /** Median over rounds: requests/s or bytes/s. */
  rate: number;
  /** Range over median, over rounds. */
  spread: number;
  /** Median over rounds of the proxy process's user + system CPU time per request or per download, in µs. */
  cpuMicrosPerUnit: number;
  /** Median over rounds of httpwire's rate over this proxy's. */
  httpwireOverThis: number;
  rounds: number[];
}

/** Target: one goal of issue 4 and how this run did. */
export interface Target {
  goal: string;
  want: number;
  got: number;
  met: boolean;
}

interface Started {
  contender: Contender;
  child: Child;
  port: number;
}

export const bench: Bench = {
  name: 'proxy',
  async run(options: BenchOptions) {
    const quick = options.roundMs < 100; // --quick: 50 ms rounds
    const seconds = envNumber('PROXY_BENCH_SECONDS', quick ? 1 : 8);
    const rounds = envNumber('PROXY_BENCH_ROUNDS', quick ? 1 : 3);
    const { print } = options;
    print(
      canPin()
        ? `backend and proxies on CPU ${TESTED_CPU}, wrk and curl on CPU ${PEER_CPU} (taskset)`
        : 'taskset or a second core missing: nothing is pinned, figures will wander',
    );
    print(
      `1-minute load average at start: ${os.loadavg()[0].toFixed(2)} (other work skews every figure)`,
    );
    const backend = await startChild('backend.ts', []);
    const proxies: Started[] = [];
    try {
      for (const contender of CONTENDERS) {
        const { child, port } = await startChild('serve-proxy.ts', [
          contender.kind,
          String(backend.port),
        ]);
        proxies.push({ contender, child, port });
        await checkHello(contender.name, port);
      }
      print(`every proxy answered GET / with 200 "hello world"`);
      const requests = hasWrk()
        ? await measureRequests(print, proxies, Math.max(1, Math.round(seconds)), rounds)
        : skip(print, 'wrk', 'the req/s rows');
      const bytes = hasCurl()
        ? await measureBytes(print, proxies, rounds)
        : skip(print, 'curl', 'the MB/s rows');
      const targets = checkTargets(requests, bytes);
      print(`\n${formatTargets(targets)}`);
      return { requests, bytes, goRequestsPerSecNotMeasured: GO_REQUESTS_PER_SEC, targets };
    } finally {
      await Promise.all([backend, ...proxies].map((s) => s.child.stop()));
    }
  },
};

function skip(print: (line: string) => void, tool: string, what: string): Row[] {
  print(`${tool} not found: skipping ${what} (install it with \`apt-get install -y ${tool}\`)`);
  return [];
}

async function measureRequests(
  print: (line: string) => void,
  proxies: readonly Started[],
  seconds: number,
  rounds: number,
): Promise<Row[]> {
  print(
    `\nwrk -t1 -c${CONNECTIONS} keep-alive, GET / ("hello world"): ${rounds} round(s) of ` +
      `${seconds} s per proxy after a 2 s warm-up; medians; CPU: the proxy process's user + system time`,
  );
  const load = async (p: Started, s: number): Promise<Load> => {
    const result = await runWrk({
      port: p.port,
      seconds: s,
      connections: CONNECTIONS,
      pipelined: false,
    });
    if (result.non2xx > 0 || result.socketErrors > 0) {
      print(
        `  ${p.contender.name}: ${result.non2xx} non-2xx, ${result.socketErrors} socket errors`,
      );
    }
    return { rate: result.requestsPerSec, units: result.requests };
  };
  for (const p of proxies) await load(p, 2);
  const rows = await measure(proxies, rounds, (p) => load(p, seconds));
  print(formatRows(rows, ['req/s', 'CPU µs/req'], formatRate, (micros) => micros.toFixed(0)));
  return rows;
}

async function measureBytes(
  print: (line: string) => void,
  proxies: readonly Started[],
  rounds: number,
): Promise<Row[]> {
  const mib = BIG_BODY_BYTES / 2 ** 20;
  print(
    `\none ${mib} MiB response at a time (curl -o /dev/null): ${rounds} round(s) per proxy ` +
      "after one warm-up download; MB/s = 10^6 bytes/s, medians; CPU: the proxy process's, per download",
  );
  const load = async (p: Started): Promise<Load> => ({ rate: await download(p.port), units: 1 });
  for (const p of proxies) await load(p);
  const rows = await measure(proxies, rounds, load);
  print(
    formatRows(
      rows,
      ['MB/s', `CPU ms/${mib} MiB`],
      (bytesPerSec) => (bytesPerSec / 1e6).toFixed(0),
      (micros) => (micros / 1000).toFixed(0),
    ),
  );
  return rows;
}

/** Load: one turn's rate and how many units (requests, downloads) it made. */
interface Load {
  rate: number;
  units: number;
}

/** measure runs rounds of `load` and also takes each proxy's CPU time per unit, per turn. */
async function measure(
  proxies: readonly Started[],
  rounds: number,
  load: (p: Started) => Promise<Load>,
): Promise<Row[]> {
  const cpu = new Map<string, number[]>(proxies.map((p) => [p.contender.name, []]));
  const rated = await runRounds(
    proxies.map((p) => ({ ...p, name: p.contender.name })),
    rounds,
    async (p) => {
      const before = await cpuMicros(p.child);
      const { rate, units } = await load(p);
      cpu.get(p.name)!.push(((await cpuMicros(p.child)) - before) / units);
      return rate;
    },
  );
  const httpwire = rated[CONTENDERS.indexOf(HTTPWIRE)];
  return rated.map((r) => ({
    proxy: r.name,
    rate: median(r.rounds),
    spread: spread(r.rounds),
    cpuMicrosPerUnit: median(cpu.get(r.name)!),
    httpwireOverThis: ratio(httpwire, r),
    rounds: r.rounds,
  }));
}

/** cpuMicros asks a proxy child for its user + system CPU time so far, in µs. */
async function cpuMicros(child: Child): Promise<number> {
  child.send('cpu');
  const { user, system } = await child.nextJSON<NodeJS.CpuUsage>();
  return user + system;
}

function formatRows(
  rows: readonly Row[],
  [unit, cpuUnit]: readonly [string, string],
  format: (rate: number) => string,
  formatCPU: (micros: number) => string,
): string {
  return formatTable(
    ['proxy', unit, 'spread', cpuUnit, 'httpwire ÷ this'],
    rows.map((r) => [
      r.proxy,
      format(r.rate),
      `${Math.round(r.spread * 100)}%`,
      formatCPU(r.cpuMicrosPerUnit),
      formatRatio(r.httpwireOverThis),
    ]),
  );
}

/** checkTargets: issue 4's goals for httpwire, each as a ratio to reach. */
function checkTargets(requests: readonly Row[], bytes: readonly Row[]): Target[] {
  const targets: Target[] = [];
  const against = (rows: readonly Row[], unit: string, c: Contender, want: number) => {
    const row = rows[CONTENDERS.indexOf(c)];
    if (row === undefined) return;
    const got = row.httpwireOverThis;
    targets.push({ goal: `${unit} ≥ ${want}× ${c.name}`, want, got, met: got >= want });
  };
  for (const [rows, unit] of [
    [requests, 'req/s'],
    [bytes, 'MB/s'],
  ] as const) {
    against(rows, unit, HTTP_PROXY, 2);
    against(rows, unit, UNDICI, 1.3);
    against(rows, unit, PIPE, 0.8);
  }
  const httpwire = requests[CONTENDERS.indexOf(HTTPWIRE)];
  if (httpwire !== undefined) {
    const got = httpwire.rate / GO_REQUESTS_PER_SEC;
    targets.push({
      goal: `req/s ≥ 1.5× Go httputil.ReverseProxy (${formatRate(GO_REQUESTS_PER_SEC)}, earlier figure, not measured here)`,
      want: 1.5,
      got,
      met: got >= 1.5,
    });
  }
  return targets;
}

function formatTargets(targets: readonly Target[]): string {
  return formatTable(
    ['target', 'httpwire', 'result'],
    targets.map((t) => [t.goal, formatRatio(t.got), t.met ? 'met' : 'missed']),
  );
}

/** startChild runs `bench/proxy/<script>` under node with tsx on the tested core and reads its port. */
async function startChild(
  script: string,
  args: readonly string[],
): Promise<{ child: Child; port: number }> {
  const path = fileURLToPath(new URL(`proxy/${script}`, import.meta.url));
  const child = new Child(
    spawnPinned(TESTED_CPU, [
      process.execPath,
      '--no-deprecation',
      '--import',
      'tsx',
      path,
      ...args,
    ]),
  );
  const { port } = await child.nextJSON<{ port: number }>();
  return { child, port };
}
