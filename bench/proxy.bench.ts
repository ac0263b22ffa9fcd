/**
 * Reverse proxies: httpwire's ReverseProxy against node-http-proxy, an
 * undici Pool proxy (what @fastify/reply-from does), the fastest undici 7
 * proxy (Pool.dispatch with handler callbacks) and Go's
 * httputil.ReverseProxy (when a Go toolchain is present), with a
 * socket-to-socket pipe as the ceiling. One node:http backend and every
 * proxy run in their own processes on one core, the load on the other: wrk,
 * 50 keep-alive connections, `hello world` through each proxy; then one
 * 100 MiB download at a time through each (curl).
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Bench, BenchOptions } from './bench.js';
import { canPin, Child, PEER_CPU, spawnPinned, TESTED_CPU } from './conn/child.js';
import { envNumber, formatRatio } from './conn/rounds.js';
import { formatTargets, type Load, measureRows, type Row, type Target } from './conn/rated-rows.js';
import { hasWrk, runWrk, wrkErrors } from './conn/wrk.js';
import { checkHello } from './proxy/check.js';
import { download, hasCurl } from './proxy/download.js';
import { buildGoProxy, type GoProxy } from './proxy/go-proxy.js';
import { BIG_BODY_BYTES } from './proxy/load-shape.js';
import type { ProxyKind } from './proxy/proxies.js';
import { formatRate, formatTable } from './report.js';

const CONNECTIONS = 50;

/** Contender: a proxy and the command that starts it in front of the backend. */
interface Contender {
  name: string;
  command: (backendPort: number) => string[];
}

/** served: a proxy that serve-proxy.ts runs. */
function served(name: string, kind: ProxyKind): Contender {
  return {
    name,
    command: (backendPort) => nodeScript('serve-proxy.ts', [kind, String(backendPort)]),
  };
}

const HTTPWIRE = served('httpwire ReverseProxy', 'httpwire');
const HTTP_PROXY = served('http-proxy', 'http-proxy');
const UNDICI = served('undici Pool proxy', 'undici');
const UNDICI7_DISPATCH = served('undici 7 dispatch proxy', 'undici7-dispatch');
const PIPE = served('socket pipe (no HTTP)', 'pipe');
/** GO names the go-proxy row; its binary comes from buildGoProxy. */
const GO = 'Go httputil.ReverseProxy';

/** contenders: every proxy in table order, Go's only when it was built. */
function contenders(go: GoProxy | null): Contender[] {
  const nodeProxies = [
    HTTPWIRE,
    served('httpwire, default Transport', 'httpwire-default'),
    served('httpwire, general path only', 'httpwire-general'),
    ...(process.env.HTTPWIRE_BEFORE_DIST === undefined
      ? []
      : [served('httpwire before (HTTPWIRE_BEFORE_DIST)', 'httpwire-before')]),
    HTTP_PROXY,
    UNDICI,
    UNDICI7_DISPATCH,
  ];
  if (go === null) return [...nodeProxies, PIPE];
  const goProxy = { name: GO, command: (backendPort: number) => [go.binary, String(backendPort)] };
  return [...nodeProxies, goProxy, PIPE];
}

export type { Row, Target };

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
      `1-minute load average at start: ${os.loadavg()[0]!.toFixed(2)} (other work skews every figure)`,
    );
    const built = buildGoProxy();
    print(
      'skipped' in built
        ? `Go contender skipped: ${built.skipped}`
        : `Go contender: ${built.version}, GOMAXPROCS=1, built into ${built.binary}`,
    );
    const go = 'skipped' in built ? null : built;
    try {
      const measured = await measureAll(print, contenders(go), seconds, rounds);
      return { go: go === null ? built : { version: go.version }, ...measured };
    } finally {
      go?.dispose();
    }
  },
};

/** measureAll starts the backend, then fresh proxies for each sample: checks them, measures and stops them. */
async function measureAll(
  print: (line: string) => void,
  contenders: readonly Contender[],
  seconds: number,
  rounds: number,
): Promise<{ requests: Row[]; bytes: Row[]; targets: Target[] }> {
  const backend = await startChild(nodeScript('backend.ts', []));
  try {
    // Each sample gets fresh proxy processes: a heap that moved 100 MiB bodies, or held
    // 50 connections' state, would weigh on the next sample (see the forward bench).
    const fresh = async <T>(measure: (proxies: readonly Started[]) => Promise<T>): Promise<T> => {
      const proxies: Started[] = [];
      try {
        for (const contender of contenders) {
          const { child, port } = await startChild(contender.command(backend.port));
          proxies.push({ contender, child, port });
          await checkHello(contender.name, port);
        }
        return await measure(proxies);
      } finally {
        await Promise.all(proxies.map((p) => p.child.stop()));
      }
    };
    print('every proxy answers GET / with 200 "hello world" (checked for each sample)');
    const requests = hasWrk()
      ? await fresh((proxies) =>
          measureRequests(print, proxies, Math.max(1, Math.round(seconds)), rounds),
        )
      : skip(print, 'wrk', 'the req/s rows');
    const bytes = hasCurl()
      ? await fresh((proxies) => measureBytes(print, proxies, rounds))
      : skip(print, 'curl', 'the MB/s rows');
    const targets = checkTargets(requests, bytes);
    print(`\n${formatTargets(targets)}`);
    return { requests, bytes, targets };
  } finally {
    await backend.child.stop();
  }
}

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
    const errors = wrkErrors(result);
    if (errors !== null) print(`  ${p.contender.name}: ${errors}`);
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

/** measure runs rounds of `load` and also takes each proxy's CPU time per unit, per turn. */
function measure(
  proxies: readonly Started[],
  rounds: number,
  load: (p: Started) => Promise<Load>,
): Promise<Row[]> {
  const named = proxies.map((p) => ({ ...p, name: p.contender.name }));
  return measureRows(named, rounds, HTTPWIRE.name, load);
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

/** checkTargets: the speed goals for httpwire, each as a ratio to reach. */
function checkTargets(requests: readonly Row[], bytes: readonly Row[]): Target[] {
  const targets: Target[] = [];
  const against = (rows: readonly Row[], unit: string, proxy: string, want: number) => {
    if (rows.length === 0) return; // the tool for these rows is missing
    const got = rows.find((r) => r.proxy === proxy)?.httpwireOverThis ?? null;
    targets.push({
      goal: `${unit} ≥ ${want}× ${proxy}`,
      want,
      got,
      met: got !== null && got >= want,
    });
  };
  // Issue 15's goals; issue 4's http-proxy and pipe goals kept for reference.
  against(requests, 'req/s', UNDICI7_DISPATCH.name, 1.3);
  against(requests, 'req/s', GO, 1.5);
  against(bytes, 'MB/s', UNDICI7_DISPATCH.name, 1.2);
  against(bytes, 'MB/s', GO, 0.9);
  against(requests, 'req/s', HTTP_PROXY.name, 2);
  against(requests, 'req/s', PIPE.name, 0.8);
  against(bytes, 'MB/s', PIPE.name, 0.8);
  return targets;
}

/** nodeScript is the command that runs `bench/proxy/<script>` under node with tsx. */
function nodeScript(script: string, args: readonly string[]): string[] {
  const path = fileURLToPath(new URL(`proxy/${script}`, import.meta.url));
  return [process.execPath, '--no-deprecation', '--import', 'tsx', path, ...args];
}

/** startChild runs `command` on the tested core and reads its port. */
async function startChild(command: readonly string[]): Promise<{ child: Child; port: number }> {
  const child = new Child(spawnPinned(TESTED_CPU, command));
  const { port } = await child.nextJSON<{ port: number }>();
  return { child, port };
}
