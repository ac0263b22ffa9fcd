/**
 * The load balancer: httpwire's Upstreams (newLoadBalancingReverseProxy,
 * round-robin) over 4 targets served by one backend process, against
 * httpwire's single-host proxy to one of those targets, http-proxy with
 * the round-robin wrapper its users write, and HAProxy with one thread
 * when it is installed. Backend and balancers run on one core, wrk on the
 * other. Then failover (one of 4 targets killed under load) and
 * `httpwire proxy` with `--workers 2` against 1 and none.
 */
import os from 'node:os';
import type { Bench, BenchOptions } from './bench.js';
import { canPin, PEER_CPU, TESTED_CPU } from './conn/child.js';
import {
  envNumber,
  formatRatio,
  median,
  type Rated,
  ratio,
  runRounds,
  spread,
} from './conn/rounds.js';
import { hasWrk, runWrk, wrkErrors } from './conn/wrk.js';
import { checkHello } from './proxy/check.js';
import { formatRate, formatTable } from './report.js';
import type { BalancerKind } from './upstream/balancers.js';
import { startBackends, startBalancerChild } from './upstream/children.js';
import { startCliProxy } from './upstream/cli-proxy.js';
import { failoverRound, type FailoverRound } from './upstream/failover.js';
import { haproxyVersion, startHAProxy } from './upstream/haproxy.js';
import { treeCpuMicros } from './upstream/proc-cpu.js';

const CONNECTIONS = 50;
const TARGETS = 4;

/** Contender: a running balancer, measured by wrk and by the CPU time of its process tree. */
interface Contender {
  name: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** Row: one contender's median rate and CPU per request, and a same-round ratio to the anchor row. */
export interface Row {
  name: string;
  rate: number;
  spread: number;
  cpuMicrosPerRequest: number | null;
  /** The backend process's CPU time per request, in µs (the same core's other cost). */
  backendMicrosPerRequest: number | null;
  /**
   * Median over rounds of a same-round ratio: the LB's rate over this
   * one's for the balancers, this one's over one process's for `--workers`.
   */
  ratio: number;
  rounds: number[];
}

/** Target: one goal and how this run did. */
export interface Target {
  goal: string;
  got: string;
  met: boolean | null;
}

const LB = 'httpwire Upstreams, 4 targets';
const SINGLE = 'httpwire single-host proxy';
const HTTP_PROXY = 'http-proxy + round-robin wrapper, 4 targets';
const KINDS: readonly [BalancerKind, string][] = [
  ['httpwire-lb', LB],
  ['httpwire-single', SINGLE],
  ['http-proxy-rr', HTTP_PROXY],
];

export const bench: Bench = {
  name: 'upstream',
  async run(options: BenchOptions) {
    const { print } = options;
    if (!hasWrk()) {
      print('wrk not found: nothing to measure (install it with `apt-get install -y wrk`)');
      return {};
    }
    const quick = options.roundMs < 100; // --quick
    const seconds = envNumber('UPSTREAM_BENCH_SECONDS', quick ? 1 : 6);
    const rounds = envNumber('UPSTREAM_BENCH_ROUNDS', quick ? 1 : 5);
    print(
      canPin()
        ? `backend and balancers on CPU ${TESTED_CPU}, wrk on CPU ${PEER_CPU} (taskset)`
        : 'taskset or a second core missing: nothing is pinned, figures will wander',
    );
    print(`1-minute load average at start: ${os.loadavg()[0]!.toFixed(2)}`);
    // `npm run bench -- upstream/failover` runs only that part.
    const part = (name: string) => name.includes(options.sampleFilter);
    const requests = part('balancers') ? await measureBalancers(print, seconds, rounds) : [];
    const failover = part('failover')
      ? await measureFailover(print, Math.max(3, seconds), rounds)
      : [];
    const workers = part('workers') ? await measureWorkers(print, seconds, rounds) : [];
    const targets = checkTargets(requests, failover);
    print(`\n${formatTable(['target', 'got', 'result'], targets.map(targetCells))}`);
    return { requests, failover, workers, targets };
  },
};

async function measureBalancers(
  print: (line: string) => void,
  seconds: number,
  rounds: number,
): Promise<Row[]> {
  const backends = await startBackends(TARGETS);
  const contenders: Contender[] = [];
  try {
    for (const [kind, name] of KINDS) {
      const { child, pid, port } = await startBalancerChild(kind, backends.ports);
      contenders.push({ name, port, pid, stop: () => child.stop() });
    }
    const version = haproxyVersion();
    if (version === null) {
      print('HAProxy skipped: not installed (`apt-get install -y haproxy`)');
    } else {
      const h = await startHAProxy(version, backends.ports);
      contenders.push({
        name: `${version}, nbthread 1`,
        port: h.port,
        pid: h.process.pid!,
        stop: h.stop,
      });
    }
    for (const c of contenders) await checkHello(c.name, c.port);
    print(
      `\nwrk -t1 -c${CONNECTIONS} keep-alive, GET / ("hello world") through each balancer to ` +
        `${TARGETS} node:http listeners in one process (the single-host proxy: to the first); ` +
        `${rounds} round(s) of ${seconds} s after a 2 s warm-up; CPU: the balancer's process`,
    );
    const rows = await measure(
      print,
      { contenders, backendPid: backends.pid, seconds, rounds },
      (r, all) =>
        ratio(
          all.find((a) => a.name === LB)!,
          r,
        ),
    );
    print(formatRows(rows, 'LB ÷ this'));
    return rows;
  } finally {
    await Promise.all([backends.child.stop(), ...contenders.map((c) => c.stop())]);
  }
}

/** Load: the balancers of one measurement and the backend behind them. */
interface Load {
  contenders: readonly Contender[];
  backendPid: number;
  seconds: number;
  rounds: number;
}

/**
 * measure warms every contender up, then runs rounds of wrk, reading the
 * CPU time of the contender's process tree and of the backend around each
 * turn; `ratioOf` makes each row's ratio from the rates of all.
 */
async function measure(
  print: (line: string) => void,
  { contenders, backendPid, seconds, rounds }: Load,
  ratioOf: (row: Rated, all: readonly Rated[]) => number,
): Promise<Row[]> {
  const cpu = new Map<string, { own: number[]; backend: number[] }>(
    contenders.map((c) => [c.name, { own: [], backend: [] }]),
  );
  const turn = async (c: Contender, s: number) => {
    const before = [treeCpuMicros(c.pid), treeCpuMicros(backendPid)];
    const result = await runWrk({
      port: c.port,
      seconds: s,
      connections: CONNECTIONS,
      pipelined: false,
    });
    const after = [treeCpuMicros(c.pid), treeCpuMicros(backendPid)];
    const errors = wrkErrors(result);
    if (errors !== null) print(`  ${c.name}: ${errors}`);
    const samples = cpu.get(c.name)!;
    const perRequest = (i: number) => (after[i]! - before[i]!) / result.requests;
    if (after[0] !== null && before[0] !== null) samples.own.push(perRequest(0));
    if (after[1] !== null && before[1] !== null) samples.backend.push(perRequest(1));
    return result.requestsPerSec;
  };
  for (const c of contenders) await turn(c, 2);
  cpu.forEach((samples) => {
    samples.own.length = 0;
    samples.backend.length = 0;
  });
  const rated = await runRounds(contenders, rounds, (c) => turn(c, seconds));
  const medianOrNull = (values: number[]) => (values.length === 0 ? null : median(values));
  return rated.map((r) => ({
    name: r.name,
    rate: median(r.rounds),
    spread: spread(r.rounds),
    cpuMicrosPerRequest: medianOrNull(cpu.get(r.name)!.own),
    backendMicrosPerRequest: medianOrNull(cpu.get(r.name)!.backend),
    ratio: ratioOf(r, rated),
    rounds: r.rounds,
  }));
}

async function measureFailover(
  print: (line: string) => void,
  seconds: number,
  rounds: number,
): Promise<FailoverRound[]> {
  print(
    `\nfailover: wrk -c${CONNECTIONS} GETs for ${seconds} s through httpwire's balancer over ` +
      `${TARGETS} targets; one target killed (listener closed, its connections destroyed) after ` +
      `a third of the run; ${rounds} round(s), each with fresh processes; failed over: attempts ` +
      `that failed on the dead target and were sent to another`,
  );
  const results: FailoverRound[] = [];
  for (let i = 0; i < rounds; i++) results.push(await failoverRound(seconds, CONNECTIONS));
  print(
    formatTable(
      ['round', 'requests', 'failed', 'failed over', 'ejected after', 'reason'],
      results.map((r, i) => [
        String(i + 1),
        String(r.requests),
        String(r.failed),
        String(r.failedOver),
        r.ejectedAfterMs === null ? 'never' : `${r.ejectedAfterMs} ms`,
        r.reason ?? '-',
      ]),
    ),
  );
  return results;
}

async function measureWorkers(
  print: (line: string) => void,
  seconds: number,
  rounds: number,
): Promise<Row[]> {
  const modes: [string, string[]][] = [
    ['one process', []],
    ['--workers 1', ['--workers', '1']],
    ['--workers 2', ['--workers', '2']],
  ];
  const backends = await startBackends(TARGETS);
  const contenders: Contender[] = [];
  try {
    for (const [name, flags] of modes) {
      const p = await startCliProxy(backends.ports, flags);
      contenders.push({ name, port: p.port, pid: p.process.pid!, stop: p.stop });
    }
    for (const c of contenders) await checkHello(c.name, c.port);
    print(
      `\n\`httpwire proxy\` with ${TARGETS} --target (round-robin, text access log), not pinned; ` +
        `backend on CPU ${TESTED_CPU}, wrk -c${CONNECTIONS} on CPU ${PEER_CPU}; ${rounds} round(s) of ` +
        `${seconds} s; CPU: primary and workers`,
    );
    const rows = await measure(
      print,
      { contenders, backendPid: backends.pid, seconds, rounds },
      (r, all) =>
        ratio(
          r,
          all.find((a) => a.name === 'one process')!,
        ),
    );
    print(formatRows(rows, 'this ÷ one process'));
    return rows;
  } finally {
    await Promise.all([backends.child.stop(), ...contenders.map((c) => c.stop())]);
  }
}

function formatRows(rows: readonly Row[], ratioHeading: string): string {
  return formatTable(
    ['contender', 'req/s', 'spread', 'CPU µs/req', 'backend µs/req', ratioHeading],
    rows.map((r) => [
      r.name,
      formatRate(r.rate),
      `${Math.round(r.spread * 100)}%`,
      r.cpuMicrosPerRequest === null ? '-' : r.cpuMicrosPerRequest.toFixed(0),
      r.backendMicrosPerRequest === null ? '-' : r.backendMicrosPerRequest.toFixed(0),
      formatRatio(r.ratio),
    ]),
  );
}

/** checkTargets: issue 14's goals, of the parts that ran; HAProxy is reported, not a goal. */
function checkTargets(requests: readonly Row[], failover: readonly FailoverRound[]): Target[] {
  const targets: Target[] = [];
  if (requests.length > 0) {
    const vs = (name: string, want: number): Target => {
      const got = requests.find((r) => r.name === name)!.ratio;
      return { goal: `req/s ≥ ${want}× ${name}`, got: formatRatio(got), met: got >= want };
    };
    const others = requests.filter((r) => ![LB, SINGLE, HTTP_PROXY].includes(r.name));
    targets.push(
      vs(SINGLE, 0.95),
      vs(HTTP_PROXY, 2),
      ...others.map((r) => ({ goal: `(report) ${r.name}`, got: formatRatio(r.ratio), met: null })),
    );
  }
  if (failover.length === 0) return targets;
  const failed = Math.max(...failover.map((r) => r.failed));
  const ejections = failover.map((r) => r.ejectedAfterMs ?? Infinity);
  const slowest = Math.max(...ejections);
  return [
    ...targets,
    {
      goal: 'failover: 0 failed idempotent requests (worst round)',
      got: String(failed),
      met: failed === 0,
    },
    {
      goal: 'failover: ejected within 1 s (slowest round)',
      got: slowest === Infinity ? 'never' : `${slowest} ms (median ${median(ejections)} ms)`,
      met: slowest <= 1000,
    },
  ];
}

function targetCells(t: Target): string[] {
  return [t.goal, t.got, t.met === null ? 'reported' : t.met ? 'met' : 'missed'];
}
