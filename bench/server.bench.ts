/**
 * Server throughput and memory: a hello-world accept loop on ServerConn
 * against node:http and a raw net.Server that parses nothing (the anchor).
 * Each server runs in a child process on one core; wrk drives it from the
 * other: 50 keep-alive connections, then the same with 16 requests
 * pipelined per write. Then the memory an idle kept-alive connection costs
 * the server, for ServerConn and node:http.
 */
import os from 'node:os';
import type { Bench, BenchOptions } from './bench.js';
import {
  canPin,
  type Child,
  hardFileLimit,
  PEER_CPU,
  TESTED_CPU,
  spawnScript,
} from './conn/child.js';
import type { ServerKind } from './conn/hello-servers.js';
import {
  durations,
  envNumber,
  formatRatio,
  median,
  type Rated,
  ratio,
  runRounds,
  spread,
} from './conn/rounds.js';
import type { MemoryReport } from './conn/serve.js';
import { hasWrk, PIPELINE_DEPTH, runWrk, wrkErrors } from './conn/wrk.js';
import { formatBytes, formatRate, formatTable } from './report.js';

const CONNECTIONS = 50;
const BODY = 'hello world';

interface Contender {
  name: string;
  kind: ServerKind;
}

const CONTENDERS: readonly Contender[] = [
  { name: 'httpwire ServerConn', kind: 'httpwire' },
  { name: 'node:http', kind: 'node-http' },
  { name: 'raw net.Server', kind: 'raw' },
];

/** ThroughputRow: one server in one mode. */
export interface ThroughputRow {
  mode: string;
  server: string;
  /** Median over rounds. */
  requestsPerSec: number;
  /** Range over median, over rounds. */
  spread: number;
  vsNodeHttp: number;
  vsRaw: number;
  rounds: number[];
}

/** MemoryRow: the server-side cost of idle kept-alive connections. */
export interface MemoryRow {
  server: string;
  connections: number;
  rssPerConnection: number;
  heapUsedPerConnection: number;
  externalPerConnection: number;
}

export const bench: Bench = {
  name: 'server',
  async run(options: BenchOptions) {
    const quick = options.roundMs < 100; // --quick: 50 ms rounds
    const { seconds, rounds } = durations(quick);
    const { print } = options;
    print(
      canPin()
        ? `servers on CPU ${TESTED_CPU}, load on CPU ${PEER_CPU} (taskset)`
        : 'taskset or a second core missing: nothing is pinned, figures will wander',
    );
    print(
      `1-minute load average at start: ${os.loadavg()[0]!.toFixed(2)} (other work skews every figure)`,
    );
    const throughput = hasWrk()
      ? await measureThroughput(print, Math.max(1, Math.round(seconds)), rounds)
      : skipThroughput(print);
    const memory = await measureMemory(print, quick);
    return { throughput, memory };
  },
};

function skipThroughput(print: (line: string) => void): ThroughputRow[] {
  print(
    'wrk not found: skipping the keep-alive and pipelined rows ' +
      '(install it with `apt-get install -y wrk`)',
  );
  return [];
}

async function measureThroughput(
  print: (line: string) => void,
  seconds: number,
  rounds: number,
): Promise<ThroughputRow[]> {
  print(
    `wrk -t1 -c${CONNECTIONS}, ${rounds} round(s) of ${seconds} s per server and mode ` +
      'after a 1 s warm-up; medians',
  );
  const servers = await Promise.all(CONTENDERS.map((c) => startChild(c.kind, BODY)));
  try {
    const ports = new Map(CONTENDERS.map((c, i) => [c, servers[i]!.port]));
    const rows: ThroughputRow[] = [];
    for (const pipelined of [false, true]) {
      const mode = pipelined ? `pipelined ×${PIPELINE_DEPTH}` : 'keep-alive';
      const turn = async (c: Contender, s: number) => {
        const result = await runWrk({
          port: ports.get(c)!,
          seconds: s,
          connections: CONNECTIONS,
          pipelined,
        });
        const errors = wrkErrors(result);
        if (errors !== null) print(`  ${c.name}, ${mode}: ${errors}`);
        return result.requestsPerSec;
      };
      for (const c of CONTENDERS) await turn(c, 1);
      const rated = await runRounds(CONTENDERS, rounds, (c) => turn(c, seconds));
      rows.push(...rowsOf(mode, rated));
    }
    print(
      formatTable(
        ['mode', 'server', 'req/s', 'spread', 'vs node:http', 'vs raw'],
        rows.map((r) => [
          r.mode,
          r.server,
          formatRate(r.requestsPerSec),
          `${Math.round(r.spread * 100)}%`,
          formatRatio(r.vsNodeHttp),
          formatRatio(r.vsRaw),
        ]),
      ),
    );
    return rows;
  } finally {
    await Promise.all(servers.map((s) => s.child.stop()));
  }
}

function rowsOf(mode: string, rated: Rated[]): ThroughputRow[] {
  const node = rated[CONTENDERS.findIndex((c) => c.kind === 'node-http')]!;
  const raw = rated[CONTENDERS.findIndex((c) => c.kind === 'raw')]!;
  return rated.map((r) => ({
    mode,
    server: r.name,
    requestsPerSec: median(r.rounds),
    spread: spread(r.rounds),
    vsNodeHttp: ratio(r, node),
    vsRaw: ratio(r, raw),
    rounds: r.rounds,
  }));
}

/**
 * measureMemory opens `count` connections that each made one request and
 * stay open, idle, and reports the server's growth per connection after
 * full garbage collections. Client and server each need `count` files open.
 */
async function measureMemory(print: (line: string) => void, quick: boolean): Promise<MemoryRow[]> {
  const wanted = envNumber('CONN_BENCH_IDLE', quick ? 1000 : 10_000);
  const count = Math.min(wanted, hardFileLimit() - 100);
  print(
    `\nidle kept-alive connections: ${count}` +
      (count < wanted ? ` (the open-file limit allows no more than that of ${wanted})` : '') +
      '; growth of the server process after full GCs, per connection',
  );
  const rows: MemoryRow[] = [];
  for (const c of CONTENDERS.filter((c) => c.kind !== 'raw')) {
    const server = await startChild(c.kind, BODY);
    try {
      server.child.send('memory');
      const before = await server.child.nextJSON<MemoryReport>();
      const clients = spawnScript(PEER_CPU, 'idle-clients.ts', [
        String(server.port),
        String(count),
      ]);
      try {
        const { open } = await clients.nextJSON<{ open: number }>();
        server.child.send('memory');
        const after = await server.child.nextJSON<MemoryReport>();
        if (open !== count || after.connections !== count) {
          throw new Error(`${c.name}: ${open} opened, ${after.connections} held, want ${count}`);
        }
        rows.push({
          server: c.name,
          connections: count,
          rssPerConnection: (after.rss - before.rss) / count,
          heapUsedPerConnection: (after.heapUsed - before.heapUsed) / count,
          externalPerConnection: (after.external - before.external) / count,
        });
      } finally {
        await clients.stop();
      }
    } finally {
      await server.child.stop();
    }
  }
  print(
    formatTable(
      ['server', 'connections', 'RSS/conn', 'JS heap/conn', 'external/conn'],
      rows.map((r) => [
        r.server,
        String(r.connections),
        formatBytes(Math.round(r.rssPerConnection)),
        formatBytes(Math.round(r.heapUsedPerConnection)),
        formatBytes(Math.round(r.externalPerConnection)),
      ]),
    ),
  );
  return rows;
}

async function startChild(kind: ServerKind, body: string): Promise<{ child: Child; port: number }> {
  const child = spawnScript(TESTED_CPU, 'serve.ts', [kind, body]);
  const { port } = await child.nextJSON<{ port: number }>();
  return { child, port };
}
