/**
 * Child entry, the process under test: `proxy.ts <backendPort>` serves
 * httpwire's `newSingleHostReverseProxy` to the backend behind httpwire's
 * `createServer`, with default options, on an ephemeral port of 127.0.0.1.
 * A node:net listener hands each accepted socket to `serveConn` so that the
 * open client connections can be counted. It runs under `--expose-gc` and
 * collects garbage before every memory sample, so the samples show what
 * stays alive rather than when V8 last ran.
 */
import { once } from 'node:events';
import { createServer as createNetServer } from 'node:net';
import { createServer, newSingleHostReverseProxy } from '../dist/index.js';
import { LogCounter, reportTo } from './reporting.js';

const gc = globalThis.gc;
if (gc === undefined) throw new Error('soak/proxy.ts wants node --expose-gc');

const backendPort = Number(process.argv[2]);
const logs = new LogCounter();
const errorLog = (message: string) => logs.add(message);
const proxy = newSingleHostReverseProxy(`http://127.0.0.1:${backendPort}`, { errorLog });
let served = 0;
const server = createServer(
  (rw, req) => {
    served++;
    return proxy.serveHTTP(rw, req);
  },
  { errorLog },
);

let open = 0;
const listener = createNetServer((socket) => {
  open++;
  socket.once('close', () => open--);
  void server.serveConn(socket);
});
listener.listen(0, '127.0.0.1');
await once(listener, 'listening');
const { port } = listener.address() as { port: number };

reportTo(port, () => {
  gc();
  return { ...process.memoryUsage(), open, served, logs: logs.counts() };
});
