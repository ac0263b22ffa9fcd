/**
 * What the proxy benches share: rounds of a load against contender
 * processes, each turn's rate and the contender's CPU time per unit, rows
 * with httpwire's same-round ratio over each, and a table of targets.
 */
import { type Child } from './child.js';
import { formatRatio, median, ratio, runRounds, spread } from './rounds.js';
import { formatTable } from '../report.js';

/** Row: one proxy's rate, and httpwire's over it in the same rounds. */
export interface Row {
  proxy: string;
  /** Median over rounds: requests/s, bytes/s, tunnels/s... */
  rate: number;
  /** Range over median, over rounds. */
  spread: number;
  /** Median over rounds of the proxy process's user + system CPU time per unit (request, download, tunnel), in µs. */
  cpuMicrosPerUnit: number;
  /** Median over rounds of httpwire's rate over this proxy's. */
  httpwireOverThis: number;
  rounds: number[];
}

/** Target: one speed goal and how this run did; `got` is null when the contender was not measured. */
export interface Target {
  goal: string;
  want: number;
  got: number | null;
  met: boolean;
}

/** Load: one turn's rate and how many units (requests, downloads, tunnels) it made. */
export interface Load {
  rate: number;
  units: number;
}

/**
 * measureRows runs `rounds` of `turn` for every contender, takes each
 * contender process's CPU time per unit per turn, and rates `reference`
 * (httpwire) against each in the same rounds.
 */
export async function measureRows<P extends { name: string; child: Child }>(
  contenders: readonly P[],
  rounds: number,
  reference: string,
  turn: (contender: P) => Promise<Load>,
): Promise<Row[]> {
  const cpu = new Map<string, number[]>(contenders.map((p) => [p.name, []]));
  const rated = await runRounds(contenders, rounds, async (p) => {
    const before = await cpuMicros(p.child);
    const { rate, units } = await turn(p);
    cpu.get(p.name)!.push(((await cpuMicros(p.child)) - before) / units);
    return rate;
  });
  const ours = rated.find((r) => r.name === reference)!;
  return rated.map((r) => ({
    proxy: r.name,
    rate: median(r.rounds),
    spread: spread(r.rounds),
    cpuMicrosPerUnit: median(cpu.get(r.name)!),
    httpwireOverThis: ratio(ours, r),
    rounds: r.rounds,
  }));
}

/** cpuMicros asks a contender child for its user + system CPU time so far (it answers `cpu` with `process.cpuUsage()`), in µs. */
export async function cpuMicros(child: Child): Promise<number> {
  child.send('cpu');
  const { user, system } = await child.nextJSON<NodeJS.CpuUsage>();
  return user + system;
}

/** formatTargets lays out each goal with httpwire's ratio and met/missed. */
export function formatTargets(targets: readonly Target[]): string {
  return formatTable(
    ['target', 'httpwire', 'result'],
    targets.map((t) =>
      t.got === null
        ? [t.goal, '-', 'not measured']
        : [t.goal, formatRatio(t.got), t.met ? 'met' : 'missed'],
    ),
  );
}
