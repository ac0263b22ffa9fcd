/**
 * Child entry: `backends.ts <count>` starts `count` node:http listeners on
 * ephemeral ports of 127.0.0.1 in this one process, so the balancer bench
 * measures the balancer and not several backends fighting for a core. Each
 * answers `GET /` with `hello world` and keeps connections alive. It prints
 * `{"ports":[...]}`, then answers stdin commands with one JSON line each:
 * - `kill N`: closes listener N and destroys its connections, as if its
 *   process died; prints `{"killed":N,"at":<epoch ms>}`.
 * It exits when its stdin ends.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { HELLO } from '../proxy/load-shape.js';

const count = Number(process.argv[2] ?? 4);
if (!(Number.isSafeInteger(count) && count >= 1)) {
  throw new Error(`backends.ts wants a count of listeners, got ${process.argv[2]}`);
}

/** Backend: one listener and its open connections. */
interface Backend {
  server: http.Server;
  sockets: Set<Socket>;
}

const backends: Backend[] = [];
for (let i = 0; i < count; i++) backends.push(await start());
const ports = backends.map((b) => (b.server.address() as AddressInfo).port);
process.stdout.write(`${JSON.stringify({ ports })}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const kill = /^kill (\d+)$/.exec(line);
  if (kill !== null) {
    const n = Number(kill[1]);
    const b = backends[n]!;
    b.server.close();
    for (const s of b.sockets) s.destroy();
    process.stdout.write(`${JSON.stringify({ killed: n, at: Date.now() })}\n`);
  }
});
process.stdin.on('end', () => process.exit(0));

async function start(): Promise<Backend> {
  const sockets = new Set<Socket>();
  const server = http.createServer((_req, res) => res.end(HELLO));
  server.keepAliveTimeout = 0;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, sockets };
}
