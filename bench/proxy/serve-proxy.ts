/**
 * Child entry: `serve-proxy.ts <kind> <backendPort>` starts one proxy (see
 * proxies.ts), prints `{"port":N}`, then answers each `cpu` line on stdin
 * with this process's `process.cpuUsage()` as one JSON line. It exits when
 * its stdin ends (so a `--cpu-prof` run writes its profile).
 */
import { createInterface } from 'node:readline';
import { type ProxyKind, PROXY_KINDS, startProxy } from './proxies.js';

const [kind, backendPort] = process.argv.slice(2);
if (!PROXY_KINDS.includes(kind as ProxyKind)) {
  throw new Error(`serve-proxy.ts wants one of ${PROXY_KINDS.join(', ')}, got ${kind}`);
}
const port = await startProxy(kind as ProxyKind, Number(backendPort));
process.stdout.write(`${JSON.stringify({ port })}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'cpu') process.stdout.write(`${JSON.stringify(process.cpuUsage())}\n`);
});
process.stdin.on('end', () => process.exit(0));
