/**
 * CPU time of any process and its descendants (a cluster's primary and
 * workers, HAProxy, a node child) from /proc, so every contender is
 * measured the same way. Linux only; elsewhere it reports null.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** treeCpuMicros is the user + system CPU time of `pid` and its live descendants, in µs, or null without /proc. */
export function treeCpuMicros(pid: number): number | null {
  try {
    return ownTicks(pid) * (1e6 / clockTicks()) + descendants(pid);
  } catch {
    return null;
  }
}

function descendants(pid: number): number {
  let micros = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'latin1');
    for (const child of children.split(' ')) {
      if (child !== '' && child !== '\n') micros += treeCpuMicros(Number(child)) ?? 0;
    }
  }
  return micros;
}

/** ownTicks reads utime + stime (fields 14 and 15) of /proc/PID/stat; the name in field 2 may hold spaces. */
function ownTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // fields 14 and 15, counted after the name
}

function clockTicks(): number {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
  return ticksPerSecond;
}
