/**
 * Child entry, the process under test: `proxy.ts <backendPort>` serves
 * httpwire's `newSingleHostReverseProxy` to the backend behind httpwire's
 * `createServer`, with default options, on an ephemeral port of 127.0.0.1,
 * its fast path included (the handler counts requests on both paths).
 * A node:net listener hands each accepted socket to `serveConn` so that the
 * open client connections can be counted. It runs under `--expose-gc` and
 * collects garbage before every memory sample, so the samples show what
 * stays alive rather than when V8 last ran.
 */
import { once } from 'node:events';
import { createServer as createNetServer } from 'node:net';
import { createServer, type Handler, newSingleHostReverseProxy } from '../dist/index.js';
import {
  FAST_PATH,
  type FastPathHandler,
  type FastServe,
  setPrefetched,
  takePrefetched,
} from '../dist/server/fast-path.js';
import { LogCounter, reportTo } from './reporting.js';

const gc = globalThis.gc;
if (gc === undefined) throw new Error('soak/proxy.ts wants node --expose-gc');

const backendPort = Number(process.argv[2]);
const logs = new LogCounter();
const errorLog = (message: string) => logs.add(message);
const proxy = newSingleHostReverseProxy(`http://127.0.0.1:${backendPort}`, { errorLog });
let served = 0;
/**
 * counted is the proxy with a count of the requests it serves, on either
 * path (server/fast-path.ts): one the fast path takes counts there, and
 * not again when it hands it over (the re-read request carries what it
 * prefetched).
 */
const counted: Handler & FastPathHandler = {
  serveHTTP(rw, req) {
    const prefetched = takePrefetched(req);
    if (prefetched === undefined) served++;
    else setPrefetched(req, prefetched); // for the proxy to replay
    return proxy.serveHTTP(rw, req);
  },
  get [FAST_PATH]() {
    const fast = proxy[FAST_PATH];
    if (fast === null) return null;
    const countedFast: FastServe = (req, exchange) => {
      const taken = fast(req, exchange);
      if (taken) served++;
      return taken;
    };
    return countedFast;
  },
};
const server = createServer(counted, { errorLog });

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
