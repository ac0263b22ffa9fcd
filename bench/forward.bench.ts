/**
 * The forward proxy (`npm run bench -- forward`): httpwire's ForwardProxy
 * against proxy-chain and a minimal CONNECT proxy that only pipes sockets
 * (the floor for tunnels). Each proxy runs in its own process on one core;
 * the targets and the load (our tunnel clients, wrk) run on the other.
 * Samples: `download`, MiB/s of 100 MiB down one tunnel; `tunnels`,
 * CONNECT + a 1-byte round trip each way, tunnels/s with 50 clients;
 * `requests`, absolute-form GET req/s (wrk, 50 keep-alive connections; not
 * the pipe, which speaks no HTTP); `forward/tunnels` runs one. Each sample
 * runs in fresh proxy processes. Rates are medians over rounds, ratios
 * medians of same-round ratios, and the proxy's own CPU time per unit is
 * reported next to them.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Bench, BenchOptions } from './bench.js';
import { canPin, Child, PEER_CPU, spawnPinned, TESTED_CPU } from './conn/child.js';
import { envNumber, formatRatio } from './conn/rounds.js';
import { formatTargets, type Load, measureRows, type Row, type Target } from './conn/rated-rows.js';
import { hasWrk, runWrk, wrkErrors } from './conn/wrk.js';
import { formatRate, formatTable } from './report.js';

const CONNECTIONS = 50;
/** `httpwire-general`: the same ForwardProxy behind a function handler, so CONNECT takes the general path (tunnels only). */
const KINDS = ['httpwire', 'proxy-chain', 'pipe', 'httpwire-general'] as const;
type Kind = (typeof KINDS)[number];

interface Proxy {
  name: Kind;
  child: Child;
  port: number;
}

export const bench: Bench = {
  name: 'forward',
  async run(options: BenchOptions) {
    const { print } = options;
    const quick = options.roundMs < 100; // --quick
    const seconds = envNumber('FORWARD_BENCH_SECONDS', quick ? 1 : 3);
    const rounds = envNumber('FORWARD_BENCH_ROUNDS', quick ? 1 : 5);
    print(
      (canPin()
        ? `proxies on CPU ${TESTED_CPU}, targets and load (tunnel clients, wrk) on CPU ${PEER_CPU}`
        : 'taskset or a second core missing: nothing is pinned, figures will wander') +
        `; 1-minute load average at start ${(os.loadavg()[0] ?? 0).toFixed(2)}`,
    );
    const load = new Child(spawnPinned(PEER_CPU, nodeScript('load.ts', [])));
    try {
      const targets = await load.nextJSON<{ sender: number; echo: number; origin: number }>();
      const download = (p: Proxy) => command(load, `download ${p.port}`);
      const tunnels = (p: Proxy, ms: number) => command(load, `tunnels ${p.port} ${ms}`);
      const requests = async (p: Proxy, s: number): Promise<Load> => {
        const r = await runWrk({
          port: p.port,
          seconds: s,
          connections: CONNECTIONS,
          pipelined: false,
          script: { path: luaScript(), args: [`127.0.0.1:${targets.origin}`] },
        });
        const errors = wrkErrors(r);
        if (errors !== null) print(`  ${p.name}: ${errors}`);
        return { rate: r.requestsPerSec, units: r.requests };
      };
      const wrk = hasWrk();
      const only = (sample: string) => sample.includes(options.sampleFilter);
      print(
        `\n${rounds} round(s) in rotating order after a warm-up, fresh proxy processes for each ` +
          "sample; medians; spread = range ÷ median; CPU = the proxy process's user + system time per unit",
      );
      const mb = only('download')
        ? await measureFresh(['httpwire', 'proxy-chain', 'pipe'], download, rounds)
        : [];
      print(
        `\none 100 MiB download down a CONNECT tunnel\n${rows(mb, 'MiB/s', 'CPU ms/100 MiB', 1000)}`,
      );
      const tps = only('tunnels')
        ? await measureFresh(
            KINDS,
            (p) => tunnels(p, seconds * 1000),
            rounds,
            (p) => tunnels(p, 1000),
          )
        : [];
      print(
        `\nCONNECT + 1 byte each way, ${CONNECTIONS} clients, ${seconds} s per turn\n` +
          rows(tps, 'tunnels/s', 'CPU µs/tunnel', 1),
      );
      const rps =
        wrk && only('requests')
          ? await measureFresh(
              ['httpwire', 'proxy-chain'],
              (p) => requests(p, seconds),
              rounds,
              (p) => requests(p, 1),
            )
          : [];
      print(
        wrk
          ? `\nwrk -t1 -c${CONNECTIONS}, absolute-form GET to a raw "hello world" origin, ${seconds} s per turn\n` +
              rows(rps, 'req/s', 'CPU µs/req', 1)
          : 'wrk not found: skipping the req/s rows (`apt-get install -y wrk`)',
      );
      const goals = checkTargets(mb, tps, rps);
      print(`\n${formatTargets(goals)}`);
      return { tunnelMiBps: mb, tunnelsPerSec: tps, requestsPerSec: rps, targets: goals };
    } finally {
      await load.stop();
    }
  },
};

/**
 * measureFresh starts a proxy process of each kind, warms each up with
 * `warm` (default: one `sample`), measures them in rotating rounds and
 * stops them: each sample gets processes no earlier sample has run in
 * (100 MiB downloads leave a heap that slows later samples).
 */
async function measureFresh(
  kinds: readonly Kind[],
  sample: (p: Proxy) => Promise<Load>,
  rounds: number,
  warm: (p: Proxy) => Promise<Load> = sample,
): Promise<Row[]> {
  const proxies: Proxy[] = [];
  try {
    for (const name of kinds) {
      const child = new Child(spawnPinned(TESTED_CPU, nodeScript('serve-forward.ts', [name])));
      proxies.push({ name, child, port: (await child.nextJSON<{ port: number }>()).port });
    }
    for (const p of proxies) await warm(p);
    return await measureRows(proxies, rounds, 'httpwire', sample);
  } finally {
    await Promise.all(proxies.map((p) => p.child.stop()));
  }
}

/** command sends one load command to the load child and reads its answer. */
async function command(load: Child, line: string): Promise<Load> {
  load.send(line);
  const answer = await load.nextJSON<Load | { error: string }>();
  if ('error' in answer) throw new Error(`forward bench: ${line}: ${answer.error}`);
  return answer;
}

function rows(rated: readonly Row[], unit: string, cpuUnit: string, cpuScale: number): string {
  return formatTable(
    ['proxy', unit, 'spread', cpuUnit, 'httpwire ÷ this', 'rounds'],
    rated.map((r) => [
      r.proxy,
      formatRate(r.rate),
      `${Math.round(r.spread * 100)}%`,
      (r.cpuMicrosPerUnit / cpuScale).toFixed(0),
      formatRatio(r.httpwireOverThis),
      r.rounds.map(formatRate).join(' / '),
    ]),
  );
}

/** checkTargets: issue 13's goals, each a same-round ratio of httpwire over another proxy. */
function checkTargets(mb: readonly Row[], tps: readonly Row[], rps: readonly Row[]): Target[] {
  const goal = (rated: readonly Row[], unit: string, proxy: Kind, want: number): Target => {
    const got = rated.find((r) => r.proxy === proxy)?.httpwireOverThis ?? null;
    return { goal: `${unit} ≥ ${want}× ${proxy}`, want, got, met: got !== null && got >= want };
  };
  return [
    goal(mb, 'tunnel MiB/s', 'pipe', 0.9),
    goal(mb, 'tunnel MiB/s', 'proxy-chain', 1),
    goal(tps, 'tunnels/s', 'pipe', 0.9),
    goal(tps, 'tunnels/s', 'proxy-chain', 1),
    goal(rps, 'absolute-form GET req/s', 'proxy-chain', 2),
  ];
}

function luaScript(): string {
  return fileURLToPath(new URL('forward/absolute-form.lua', import.meta.url));
}

/** nodeScript is the command that runs `bench/forward/<script>` under node with tsx. */
function nodeScript(script: string, args: readonly string[]): string[] {
  const path = fileURLToPath(new URL(`forward/${script}`, import.meta.url));
  return [process.execPath, '--no-deprecation', '--import', 'tsx', path, ...args];
}
