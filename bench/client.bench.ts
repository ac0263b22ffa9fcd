/**
 * Client throughput on one connection: httpwire ClientConn against undici's
 * Client and a raw socket that parses nothing (the floor), with one request
 * in flight and with ten. The server is a raw net.Server answering every
 * request with a fixed `ok` response, in a child process on one core; each
 * client turn is a fresh child process on the other core, which also
 * measures its own CPU time per request.
 */
import os from 'node:os';
import type { Bench, BenchOptions } from './bench.js';
import { canPin, PEER_CPU, spawnScript, TESTED_CPU } from './conn/child.js';
import { CLIENT_CONTENDERS, EXPECTED_BODY } from './conn/client-contenders.js';
import type { ClientLoadResult } from './conn/client-load.js';
import { durations, formatRatio, median, ratio, runRounds, spread } from './conn/rounds.js';
import { formatRate, formatTable } from './report.js';

const DEPTHS = [1, 10];

/** ClientRow: one client at one depth. */
export interface ClientRow {
  depth: number;
  client: string;
  /** Median over rounds. */
  requestsPerSec: number;
  /** Range over median, over rounds. */
  spread: number;
  /** Median over rounds of the client process's user + system CPU µs per request. */
  cpuMicrosPerRequest: number;
  vsUndici: number;
  vsRaw: number;
  rounds: number[];
}

export const bench: Bench = {
  name: 'client',
  async run(options: BenchOptions) {
    const quick = options.roundMs < 100; // --quick: 50 ms rounds
    const { seconds, rounds } = durations(quick);
    const warmupMs = quick ? 300 : 1000;
    const { print } = options;
    print(
      (canPin()
        ? `clients on CPU ${TESTED_CPU}, server on CPU ${PEER_CPU} (taskset); `
        : 'taskset or a second core missing: nothing is pinned; ') +
        `${rounds} round(s) of ${seconds} s per client and depth after a ${warmupMs} ms warm-up, ` +
        'each turn a fresh process; medians',
    );
    print(
      `1-minute load average at start: ${os.loadavg()[0]!.toFixed(2)} (other work skews every figure)`,
    );
    const server = spawnScript(PEER_CPU, 'serve.ts', ['raw', EXPECTED_BODY]);
    try {
      const { port } = await server.nextJSON<{ port: number }>();
      const rows: ClientRow[] = [];
      for (const depth of DEPTHS) {
        const cpu = new Map<string, number[]>();
        const rated = await runRounds(CLIENT_CONTENDERS, rounds, async (c) => {
          const load = spawnScript(TESTED_CPU, 'client-load.ts', [
            c.name,
            String(depth),
            String(port),
            String(warmupMs),
            String(seconds * 1000),
          ]);
          const result = await load.nextJSON<ClientLoadResult>();
          await load.stop();
          cpu.set(c.name, [...(cpu.get(c.name) ?? []), result.cpuMicrosPerRequest]);
          return result.requests / result.seconds;
        });
        const undici = rated.find((r) => r.name === 'undici Client')!;
        const raw = rated.find((r) => r.name === 'raw socket')!;
        rows.push(
          ...rated.map((r) => ({
            depth,
            client: r.name,
            requestsPerSec: median(r.rounds),
            spread: spread(r.rounds),
            cpuMicrosPerRequest: median(cpu.get(r.name)!),
            vsUndici: ratio(r, undici),
            vsRaw: ratio(r, raw),
            rounds: r.rounds,
          })),
        );
      }
      print(
        formatTable(
          ['depth', 'client', 'req/s', 'spread', 'CPU µs/req', 'vs undici', 'vs raw'],
          rows.map((r) => [
            String(r.depth),
            r.client,
            formatRate(r.requestsPerSec),
            `${Math.round(r.spread * 100)}%`,
            r.cpuMicrosPerRequest.toFixed(1),
            formatRatio(r.vsUndici),
            formatRatio(r.vsRaw),
          ]),
        ),
      );
      return rows;
    } finally {
      await server.stop();
    }
  },
};
