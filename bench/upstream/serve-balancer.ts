/**
 * Child entry: `serve-balancer.ts <kind> <port>...` starts one balancer
 * (see balancers.ts) in front of the backends at the ports and prints
 * `{"port":N}`; then each `report` line on stdin is answered with one
 * BalancerReport line. It exits when its stdin ends.
 */
import { channel } from 'node:diagnostics_channel';
import { createInterface } from 'node:readline';
import { UPSTREAM_STATE_CHANNEL } from '../../dist/upstream/state-channel.js';
import type { UpstreamStatus } from '../../dist/upstream/target.js';
import { BALANCER_KINDS, type BalancerKind, startBalancer } from './balancers.js';

/** StateEvent: a target's state change (`httpwire:upstream:state`) and when it was published (epoch ms). */
export interface StateEvent {
  url: string;
  healthy: boolean;
  reason: string;
  at: number;
}

/** BalancerReport: httpwire's target state changes so far and its `status()`; empty and null for the others. */
export interface BalancerReport {
  events: StateEvent[];
  status: UpstreamStatus[] | null;
}

const [kind, ...ports] = process.argv.slice(2);
if (!BALANCER_KINDS.includes(kind as BalancerKind) || ports.length === 0) {
  throw new Error(`serve-balancer.ts wants one of ${BALANCER_KINDS.join(', ')} and ports`);
}
const events: StateEvent[] = [];
channel(UPSTREAM_STATE_CHANNEL).subscribe((message) => {
  events.push({ ...(message as Omit<StateEvent, 'at'>), at: Date.now() });
});
const { port, upstreams } = await startBalancer(kind as BalancerKind, ports.map(Number));
process.stdout.write(`${JSON.stringify({ port })}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line !== 'report') return;
  const report: BalancerReport = { events, status: upstreams?.status() ?? null };
  process.stdout.write(`${JSON.stringify(report)}\n`);
});
process.stdin.on('end', () => process.exit(0));
