/**
 * Child entry: `serve-balancer.ts <kind> <port>...` starts one balancer
 * (see balancers.ts) in front of the backends at the ports and prints
 * `{"port":N}`; then each `events` line on stdin is answered with the
 * target state changes seen so far, as one JSON array of StateEvent. It
 * exits when its stdin ends.
 */
import { createInterface } from 'node:readline';
import { BALANCER_KINDS, type BalancerKind, type StateEvent, startBalancer } from './balancers.js';

const [kind, ...ports] = process.argv.slice(2);
if (!BALANCER_KINDS.includes(kind as BalancerKind) || ports.length === 0) {
  throw new Error(`serve-balancer.ts wants one of ${BALANCER_KINDS.join(', ')} and ports`);
}
const events: StateEvent[] = [];
const port = await startBalancer(kind as BalancerKind, ports.map(Number), (e) => events.push(e));
process.stdout.write(`${JSON.stringify({ port })}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'events') process.stdout.write(`${JSON.stringify(events)}\n`);
});
process.stdin.on('end', () => process.exit(0));
