/**
 * In-process CPU per request, for profiling: `node --import tsx
 * bench/proxy/in-process.ts <mode> [seconds]` (add `--cpu-prof` to profile;
 * `DEPTH=16` pipelines that many requests per write). A raw client (50
 * keep-alive connections, counting `hello world`s) and, for the proxies, a
 * raw backend that answers every head with a fixed response run in the
 * same process as the code under test, so every request's whole cost is
 * one process's `process.cpuUsage()`, and a profile shows it all:
 * - `proxy`: createServer(newSingleHostReverseProxy(backend)) with a Transport;
 * - `loop`: the floor under it, a proxy loop written straight on ServerConn
 *   and ClientConn (one backend connection per client connection, no
 *   header rules): what the server, the ReverseProxy and the Transport add
 *   is `proxy` minus `loop`;
 * - `server`: createServer with a handler writing `hello world`;
 * - `conn`: the ServerConn accept loop of bench/conn/hello-servers.ts;
 * - `node`: node:http's hello world; `raw`: the raw backend alone (the floor).
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import {
  createServer,
  newClientConn,
  newServerConn,
  newSingleHostReverseProxy,
  Response,
  Transport,
} from '../../dist/index.js';

const MODES = ['proxy', 'loop', 'server', 'conn', 'node', 'raw'] as const;
type Mode = (typeof MODES)[number];
const CONNECTIONS = 50;
const HELLO = 'hello world';
const RESPONSE = Buffer.from(
  `HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\n${HELLO}`,
);
const REQUEST = Buffer.from(
  'GET /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n',
);

/** rawBackend answers each `\r\n\r\n` with RESPONSE, all of a chunk's answers in one write. */
function rawBackend(): net.Server {
  return net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', ignore);
    socket.on('data', (chunk: Buffer) => {
      let n = 0;
      for (let at = chunk.indexOf('\r\n\r\n'); at >= 0; at = chunk.indexOf('\r\n\r\n', at + 4)) n++;
      if (n > 0) socket.write(n === 1 ? RESPONSE : Buffer.concat(Array<Buffer>(n).fill(RESPONSE)));
    });
  });
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** start starts the code under test and returns its port and how to stop it. */
async function start(mode: Mode): Promise<{ port: number; stop(): Promise<void> }> {
  switch (mode) {
    case 'proxy': {
      const backend = rawBackend();
      const origin = `http://127.0.0.1:${await listen(backend)}`;
      const transport = new Transport({ maxIdleConnsPerHost: 128 });
      const server = createServer(
        newSingleHostReverseProxy(origin, { transport, errorLog: ignore }),
      );
      const { port } = await server.listen(0, '127.0.0.1');
      return { port, stop: () => closeAll(server.close(), transport.close(), backend.close()) };
    }
    case 'loop': {
      const backend = rawBackend();
      const backendPort = await listen(backend);
      const server = net.createServer({ noDelay: true }, (socket) => {
        void proxyLoop(socket, backendPort);
      });
      const port = await listen(server);
      return { port, stop: () => closeAll(server.close(), backend.close()) };
    }
    case 'server': {
      const server = createServer((rw) => rw.write(HELLO));
      const { port } = await server.listen(0, '127.0.0.1');
      return { port, stop: () => closeAll(server.close()) };
    }
    case 'conn': {
      const server = net.createServer({ noDelay: true }, (socket) => void helloLoop(socket));
      return { port: await listen(server), stop: () => closeAll(server.close()) };
    }
    case 'node': {
      const server = http.createServer((_req, res) => res.end(HELLO));
      server.keepAliveTimeout = 0;
      return { port: await listen(server), stop: () => closeAll(server.close()) };
    }
    case 'raw': {
      const server = rawBackend();
      return { port: await listen(server), stop: () => closeAll(server.close()) };
    }
  }
}

/** proxyLoop forwards each request of `socket` to its own backend connection, as is. */
async function proxyLoop(socket: net.Socket, backendPort: number): Promise<void> {
  socket.on('error', ignore);
  const conn = newServerConn(socket);
  const backendSocket = net.connect(backendPort, '127.0.0.1').setNoDelay(true);
  backendSocket.on('error', ignore);
  const backend = newClientConn(backendSocket);
  try {
    for (;;) {
      const req = await conn.read();
      req.url = { ...req.url, scheme: 'http', host: `127.0.0.1:${backendPort}` };
      await backend.write(req);
      await conn.write(req, await backend.read(req));
    }
  } catch {
    // the client left
  } finally {
    conn.close();
    backendSocket.destroy();
  }
}

async function helloLoop(socket: net.Socket): Promise<void> {
  socket.on('error', ignore);
  const conn = newServerConn(socket);
  try {
    for (;;) {
      const req = await conn.read();
      await conn.write(req, new Response(200, { body: HELLO }));
    }
  } catch {
    // the client left
  } finally {
    conn.close();
  }
}

async function closeAll(...closing: unknown[]): Promise<void> {
  await Promise.all(closing);
}

/** load keeps `depth` requests in flight on each of CONNECTIONS connections; `count()` is the answers so far. */
function load(port: number, depth: number): { count(): number; stop(): void } {
  const batch = Buffer.concat(Array<Buffer>(depth).fill(REQUEST));
  const sockets: net.Socket[] = [];
  let answered = 0;
  for (let i = 0; i < CONNECTIONS; i++) {
    const socket = net.connect(port, '127.0.0.1').setNoDelay(true);
    let pending = depth;
    socket.on('connect', () => socket.write(batch));
    socket.on('error', ignore);
    socket.on('data', (chunk: Buffer) => {
      for (let at = chunk.indexOf(HELLO); at >= 0; at = chunk.indexOf(HELLO, at + HELLO.length)) {
        answered++;
        pending--;
      }
      if (pending === 0) {
        pending = depth;
        socket.write(batch);
      }
    });
    sockets.push(socket);
  }
  return { count: () => answered, stop: () => sockets.forEach((s) => s.destroy()) };
}

function ignore(): void {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const mode = (process.argv[2] ?? 'proxy') as Mode;
if (!MODES.includes(mode)) throw new Error(`mode must be one of ${MODES.join(', ')}, got ${mode}`);
const seconds = Number(process.argv[3] ?? 5);
const depth = Number(process.env.DEPTH ?? 1);
const { port, stop } = await start(mode);
const client = load(port, depth);
await sleep(1000); // warm-up
const before = client.count();
const cpu = process.cpuUsage();
const t0 = performance.now();
await sleep(seconds * 1000);
const answered = client.count() - before;
const used = process.cpuUsage(cpu);
const elapsed = (performance.now() - t0) / 1000;
client.stop();
await stop();
const perRequest = (used.user + used.system) / answered;
process.stdout.write(
  `${mode} depth=${depth}: ${(answered / elapsed).toFixed(0)} req/s, ${perRequest.toFixed(1)} µs CPU/req\n`,
);
