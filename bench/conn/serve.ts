/**
 * Child entry: `serve.ts <kind> <body>` starts one hello server (see
 * hello-servers.ts), prints `{"port":N}`, then answers stdin commands with
 * one JSON line each:
 * - `memory`: memory usage after full garbage collections (needs --expose-gc)
 *   and the number of open connections.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';
import { type ServerKind, SERVER_KINDS, startServer } from './hello-servers.js';

/** MemoryReport: what `memory` prints. */
export interface MemoryReport {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  connections: number;
}

const [kind, body = 'hello world'] = process.argv.slice(2);
if (!SERVER_KINDS.includes(kind as ServerKind)) {
  throw new Error(`serve.ts wants one of ${SERVER_KINDS.join(', ')}, got ${kind}`);
}
const server = await startServer(kind as ServerKind, body);
let connections = 0;
server.on('connection', (socket) => {
  connections++;
  socket.on('close', () => connections--);
});
process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'memory') void reportMemory();
});
process.stdin.on('end', () => process.exit(0));

async function reportMemory(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 4; i++) {
    gc?.();
    await sleep(50);
  }
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const report: MemoryReport = { rss, heapUsed, external, arrayBuffers, connections };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
