/** The upstream bench's child processes, started on the tested core with their pid kept for /proc CPU readings. */
import { fileURLToPath } from 'node:url';
import { Child, spawnPinned, TESTED_CPU } from '../conn/child.js';
import type { BalancerKind } from './balancers.js';

/** Started: a child, its pid and the port it printed. */
export interface Started {
  child: Child;
  pid: number;
  port: number;
}

/** startBackends starts `count` backend listeners in one process (backends.ts). */
export async function startBackends(
  count: number,
): Promise<{ child: Child; pid: number; ports: number[] }> {
  const process = spawnPinned(TESTED_CPU, nodeScript('backends.ts', [String(count)]));
  const child = new Child(process);
  const { ports } = await child.nextJSON<{ ports: number[] }>();
  return { child, pid: process.pid!, ports };
}

/** startBalancerChild starts one balancer (serve-balancer.ts) in front of `ports`. */
export async function startBalancerChild(
  kind: BalancerKind,
  ports: readonly number[],
): Promise<Started> {
  const process = spawnPinned(
    TESTED_CPU,
    nodeScript('serve-balancer.ts', [kind, ...ports.map(String)]),
  );
  const child = new Child(process);
  const { port } = await child.nextJSON<{ port: number }>();
  return { child, pid: process.pid!, port };
}

/** nodeScript is the command that runs `bench/upstream/<script>` under node with tsx. */
function nodeScript(script: string, args: readonly string[]): string[] {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return [process.execPath, '--no-deprecation', '--import', 'tsx', path, ...args];
}
