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
 * - `fused`: the floor of a fused path, our Parser straight on both sockets
 *   (callbacks only: no conn, Request, Response or Body object, no promise;
 *   the heads copied field by field, X-Forwarded-For and Date added), what
 *   a proxy that goes from parsed head to outgoing bytes could cost;
 * - `pipe`: the two sockets piped, no HTTP: the syscall floor of `loop`;
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
import { Parser } from '../../dist/parser/index.js';

const MODES = ['proxy', 'loop', 'fused', 'pipe', 'server', 'conn', 'node', 'raw'] as const;
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
    case 'fused':
    case 'pipe': {
      const backend = rawBackend();
      const backendPort = await listen(backend);
      const serve = mode === 'fused' ? fusedLoop : pipeLoop;
      const server = net.createServer({ noDelay: true }, (socket) => serve(socket, backendPort));
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

/** fusedLoop relays each request head and response of `socket` through one backend socket with two Parsers. */
function fusedLoop(socket: net.Socket, backendPort: number): void {
  const backend = net.connect(backendPort, '127.0.0.1').setNoDelay(true);
  const body: Uint8Array[] = [];
  let head = '';
  const requests = new Parser('request', {
    onHeadersComplete(h) {
      let out = `${h.method} ${h.url} HTTP/1.1\r\n`;
      for (const [name, value] of h.headers) out += `${name}: ${value}\r\n`;
      backend.write(`${out}X-Forwarded-For: 127.0.0.1\r\n\r\n`, 'latin1');
    },
  });
  const responses = new Parser('response', {
    onHeadersComplete(h) {
      head = `HTTP/1.1 ${h.status} ${h.statusText}\r\n`;
      for (const [name, value] of h.headers) head += `${name}: ${value}\r\n`;
    },
    onBody: (chunk) => void body.push(chunk),
    onMessageComplete() {
      socket.cork();
      socket.write(`${head}Date: Mon, 07 Dec 2026 11:00:00 GMT\r\n\r\n`, 'latin1');
      for (const chunk of body) socket.write(chunk);
      socket.uncork();
      body.length = 0;
    },
  });
  socket.on('data', (chunk: Buffer) => requests.execute(chunk));
  backend.on('data', (chunk: Buffer) => responses.execute(chunk));
  closeTogether(socket, backend);
}

/** pipeLoop pipes `socket` to its own backend socket both ways. */
function pipeLoop(socket: net.Socket, backendPort: number): void {
  const backend = net.connect(backendPort, '127.0.0.1').setNoDelay(true);
  socket.pipe(backend).pipe(socket);
  closeTogether(socket, backend);
}

function closeTogether(a: net.Socket, b: net.Socket): void {
  for (const socket of [a, b]) {
    socket.on('error', ignore);
    socket.on('close', () => (socket === a ? b : a).destroy());
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
