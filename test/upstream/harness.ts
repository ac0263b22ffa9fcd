/**
 * Shared set-up for the Upstreams tests: named backends on our own server
 * that record every request they executed, Upstreams and proxies whose
 * logs are kept, all closed after each test.
 */
import { once } from 'node:events';
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { afterEach } from 'vitest';
import { Request } from '../../src/message/request.js';
import type { ResponseWriter } from '../../src/server/handler.js';
import { createServer, type Server } from '../../src/server/server.js';
import { Upstreams } from '../../src/upstream/upstreams.js';
import type { UpstreamsOptions } from '../../src/upstream/upstream-options.js';
import type { UpstreamTargetInit } from '../../src/upstream/target.js';
import { refusingPort, type RefusingPort } from '../faults/refusing-port.js';

/** Backend: a named origin; `executed` lists `METHOD path` of each request its handler ran. */
export interface Backend {
  name: string;
  url: string;
  port: number;
  server: Server;
  executed: string[];
  /** kill stops it at once: the listener closes and every connection is destroyed. */
  kill(): Promise<void>;
  /** restart listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Handler of a backend; the default answers 200 with the backend's name. */
export type BackendHandler = (
  rw: ResponseWriter,
  req: Request,
  name: string,
) => void | Promise<void>;

const answerName: BackendHandler = async (rw, _req, name) => {
  await rw.write(name);
};

/** UpstreamHarness: per-file helpers whose resources are released after each test. */
export interface UpstreamHarness {
  backend(name: string, handler?: BackendHandler): Promise<Backend>;
  upstreams(targets: UpstreamTargetInit[], options?: UpstreamsOptions): Upstreams;
  /** refusing: a URL where every connection is refused. */
  refusing(): Promise<string>;
  /** Lines logged by every Upstreams made here. */
  logs: string[];
}

/** useUpstreamHarness registers the cleanup and returns the helpers. */
export function useUpstreamHarness(): UpstreamHarness {
  const backends: Backend[] = [];
  const made: Upstreams[] = [];
  const ports: RefusingPort[] = [];
  const logs: string[] = [];
  afterEach(async () => {
    for (const u of made.splice(0)) u.close();
    await Promise.all(backends.splice(0).map((b) => b.close()));
    await Promise.all(ports.splice(0).map((p) => p.close()));
    logs.length = 0;
  });
  return {
    logs,
    async backend(name, handler = answerName) {
      const executed: string[] = [];
      const serve = async (rw: ResponseWriter, req: Request) => {
        executed.push(`${req.method} ${req.requestURI()}`);
        await handler(rw, req, name);
      };
      const server = createServer(serve, { errorLog: () => undefined });
      const sockets = new Set<Socket>();
      let listener: NetServer | null = null;
      const listen = async (port: number) => {
        const l = createNetServer((socket) => {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          void server.serveConn(socket);
        });
        l.listen(port, '127.0.0.1');
        await once(l, 'listening');
        listener = l;
        return (l.address() as AddressInfo).port;
      };
      const kill = async () => {
        const l = listener;
        listener = null;
        for (const socket of sockets) socket.destroy();
        if (l !== null) await new Promise((resolve) => l.close(resolve));
      };
      const port = await listen(0);
      const b: Backend = {
        name,
        port,
        url: `http://127.0.0.1:${port}`,
        executed,
        server,
        kill,
        async restart() {
          await listen(port);
        },
        async close() {
          await kill();
          await server.close();
        },
      };
      backends.push(b);
      return b;
    },
    upstreams(targets, options = {}) {
      const u = new Upstreams(targets, { errorLog: (m) => logs.push(m), ...options });
      made.push(u);
      return u;
    },
    async refusing() {
      const p = await refusingPort();
      ports.push(p);
      return `http://127.0.0.1:${p.port}`;
    },
  };
}

/** names sends `n` sequential GETs through `u` and returns the body of each (the backend's name). */
export async function names(u: Upstreams, n: number, path = '/'): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await u.roundTrip(new Request('GET', `http://upstream${path}`));
    out.push(await res.body!.text());
  }
  return out;
}

/** tally counts each value of `list`. */
export function tally(list: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const x of list) counts[x] = (counts[x] ?? 0) + 1;
  return counts;
}
