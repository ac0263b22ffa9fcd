/**
 * The forward proxy's tunnels, side by side in one run: a minimal CONNECT
 * proxy that only pipes sockets (the floor), proxy-chain, and httpwire's
 * ForwardProxy. Measures: MB/s for 100 MiB down one tunnel, and CONNECT +
 * a 1-byte round trip each way, tunnels/s with 50 clients at once.
 */
import { once } from 'node:events';
import {
  connect,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { Server as ProxyChainServer } from 'proxy-chain';
import { createServer, ForwardProxy } from '../src/index.js';
import type { Bench, BenchOptions } from './bench.js';

const MiB = 1 << 20;
const CLIENTS = 50;

interface Contender {
  name: string;
  port: number;
  close(): Promise<void>;
}

/** A CONNECT proxy that reads one head, dials, answers 200 and pipes both ways. */
async function startPipe(): Promise<Contender> {
  const server = createNetServer((client) => {
    client.on('error', () => undefined);
    client.once('data', (chunk: Buffer) => {
      const line = chunk.toString('latin1', 0, chunk.indexOf('\r\n'));
      const [host, port] = line.split(' ')[1]!.split(':');
      const backend = connect(Number(port), host);
      backend.on('error', () => client.destroy());
      backend.once('connect', () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        const rest = chunk.subarray(chunk.indexOf('\r\n\r\n') + 4);
        if (rest.length > 0) backend.write(rest);
        client.pipe(backend).pipe(client);
      });
    });
  });
  return listen('pipe', server);
}

async function listen(name: string, server: NetServer): Promise<Contender> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    name,
    port: (server.address() as { port: number }).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function startProxyChain(): Promise<Contender> {
  const server = new ProxyChainServer({ port: 0, host: '127.0.0.1', verbose: false });
  await server.listen();
  return { name: 'proxy-chain', port: server.port, close: () => server.close(true) };
}

async function startHttpwire(): Promise<Contender> {
  const proxy = new ForwardProxy();
  const server = createServer(proxy);
  const { port } = await server.listen(0);
  return { name: 'httpwire', port, close: () => server.close() };
}

/** openTunnel CONNECTs through the proxy and resolves with the socket once the 200 head is in. */
function openTunnel(proxyPort: number, target: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxyPort, '127.0.0.1');
    socket.setNoDelay(true);
    socket.on('error', reject);
    socket.write(`CONNECT 127.0.0.1:${target} HTTP/1.1\r\nHost: 127.0.0.1:${target}\r\n\r\n`);
    let seen = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const end = seen.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.pause();
      if (end + 4 < seen.length) socket.unshift(seen.subarray(end + 4));
      resolve(socket);
    };
    socket.on('data', onData);
  });
}

/** A target that sends `size` bytes on each connection, or echoes one byte when size is 0. */
async function startTarget(size: number): Promise<{ port: number; close(): Promise<void> }> {
  const payload = Buffer.alloc(MiB, 0x61);
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (size === 0) {
      socket.on('data', (chunk) => socket.write(chunk));
      return;
    }
    let left = size;
    const pump = () => {
      while (left > 0) {
        left -= payload.length;
        if (!socket.write(payload)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  });
  const c = await listen('target', server);
  return {
    port: c.port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await c.close();
    },
  };
}

async function throughput(c: Contender, target: number, bytes: number): Promise<number> {
  const socket = await openTunnel(c.port, target);
  const started = performance.now();
  let got = 0;
  socket.on('data', (chunk: Buffer) => (got += chunk.length));
  socket.resume();
  await once(socket, 'end');
  const seconds = (performance.now() - started) / 1000;
  socket.destroy();
  if (got !== bytes) throw new Error(`${c.name}: got ${got} of ${bytes} bytes`);
  return bytes / MiB / seconds;
}

async function roundTrips(c: Contender, target: number, ms: number): Promise<number> {
  let done = 0;
  const deadline = performance.now() + ms;
  const client = async () => {
    while (performance.now() < deadline) {
      const socket = await openTunnel(c.port, target);
      socket.write('x');
      socket.resume();
      await once(socket, 'data');
      socket.destroy();
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return done / ((performance.now() - started) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export const bench: Bench = {
  name: 'forward',
  async run(options: BenchOptions) {
    const size = 100 * MiB;
    const big = await startTarget(size);
    const echo = await startTarget(0);
    const contenders = [await startPipe(), await startProxyChain(), await startHttpwire()];
    const rounds = Math.max(3, Math.min(options.rounds, 7));
    const report: Record<string, { tunnelMBps: number; tunnelsPerSec: number }> = {};
    try {
      for (const c of contenders) await roundTrips(c, echo.port, options.warmupMs);
      const mbps = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
      const tps = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
      for (let round = 0; round < rounds; round++) {
        for (const c of contenders) {
          mbps.get(c.name)!.push(await throughput(c, big.port, size));
          tps.get(c.name)!.push(await roundTrips(c, echo.port, Math.max(options.roundMs, 500)));
        }
      }
      const pipe = { mb: median(mbps.get('pipe')!), t: median(tps.get('pipe')!) };
      options.print(
        `contender     MB/s (100 MiB)   ×pipe   CONNECT+1B rt/s (${CLIENTS} clients)   ×pipe`,
      );
      for (const c of contenders) {
        const mb = median(mbps.get(c.name)!);
        const t = median(tps.get(c.name)!);
        report[c.name] = { tunnelMBps: mb, tunnelsPerSec: t };
        options.print(
          `${c.name.padEnd(12)}  ${mb.toFixed(0).padStart(14)}   ${(mb / pipe.mb).toFixed(2).padStart(5)}   ${t.toFixed(0).padStart(28)}   ${(t / pipe.t).toFixed(2).padStart(5)}`,
        );
      }
    } finally {
      for (const c of contenders) await c.close();
      await big.close();
      await echo.close();
    }
    return report;
  },
};
