/**
 * Four backends under load from undici and raw pipelining clients: one
 * killed, one killed and restarted, one slow, one answering 503 with
 * Retry-After. Idempotent requests never fail while a healthy target
 * remains; every POST either succeeds once or fails once, never executed
 * twice (each backend records what it executed).
 */
import { describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { parseMessages } from '../../src/parser/parse-messages.js';
import type { Request } from '../../src/message/request.js';
import type { ResponseWriter } from '../../src/server/handler.js';
import { fastPathsOf } from '../../src/server/fast-path.js';
import { createServer } from '../../src/server/server.js';
import { newLoadBalancingReverseProxy } from '../../src/upstream/load-balancing-proxy.js';
import { connectTo } from '../helpers/raw-peer.js';
import { useUpstreamHarness } from './harness.js';

const h = useUpstreamHarness();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Upstreams under faults', () => {
  // The proxy itself is the server's handler (its fast path, whose first attempt ends by
  // callbacks), or a function calling serveHTTP (the general path).
  for (const path of ['fast', 'general'] as const) {
    it(
      `keeps idempotent requests whole and never runs a POST twice (${path} path)`,
      { timeout: 20_000 },
      async () => {
        const executed: string[] = []; // POST ids, once per execution
        const work = (delay: number) => async (rw: ResponseWriter, req: Request, name: string) => {
          if (delay > 0) await sleep(delay);
          if (req.method === 'POST') executed.push(req.header.get('X-Id')!);
          await rw.write(name);
        };
        const killed = await h.backend('killed', work(2));
        const restarted = await h.backend('restarted', work(2));
        const slow = await h.backend('slow', work(40));
        const busy = await h.backend('busy', (rw: ResponseWriter) => {
          rw.header().set('Retry-After', '1');
          rw.writeHeader(503);
        });
        const lb = newLoadBalancingReverseProxy([killed.url, restarted.url, slow.url, busy.url], {
          passive: { failures: 3, ejectFor: 300 },
          retry: { tries: 3 },
          errorLog: (m) => h.logs.push(m),
        });
        const handler =
          path === 'fast' ? lb : (rw: ResponseWriter, req: Request) => lb.serveHTTP(rw, req);
        expect(fastPathsOf(handler) !== null).toBe(path === 'fast');
        const front = createServer(handler, { errorLog: () => undefined });
        const { port } = await front.listen(0, '127.0.0.1');
        const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 8 });
        const statuses = { get: new Map<number, number>(), post: new Map<string, number>() };
        const count = (m: Map<number, number>, s: number) => m.set(s, (m.get(s) ?? 0) + 1);
        try {
          const gets = async (n: number) => {
            for (let i = 0; i < n; i++) {
              const res = await pool.request({ path: `/g${i}`, method: 'GET' });
              await res.body.text();
              count(statuses.get, res.statusCode);
            }
          };
          const posts = async (worker: number, n: number) => {
            for (let i = 0; i < n; i++) {
              const id = `${worker}-${i}`;
              const res = await pool.request({
                path: '/p',
                method: 'POST',
                body: id,
                headers: { 'x-id': id },
              });
              await res.body.text();
              statuses.post.set(id, res.statusCode);
            }
          };
          const pipelined = async (rounds: number) => {
            for (let r = 0; r < rounds; r++) {
              const socket = await connectTo(port);
              const chunks: Buffer[] = [];
              socket.on('data', (c: Buffer) => chunks.push(c));
              const ended = new Promise((resolve) => socket.on('close', resolve));
              let wire = '';
              for (let i = 0; i < 5; i++) wire += `GET /pipe${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
              socket.write(`${wire}GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
              await ended;
              const { messages, error } = parseMessages('response', Buffer.concat(chunks));
              expect(error, Buffer.concat(chunks).toString().slice(0, 300)).toBeNull();
              expect(messages).toHaveLength(6);
              for (const m of messages) count(statuses.get, m.status!);
            }
          };
          const faults = async () => {
            await sleep(60);
            await killed.kill();
            await sleep(60);
            await restarted.kill();
            await sleep(300);
            await restarted.restart();
          };
          await Promise.all([
            gets(150),
            gets(150),
            gets(150),
            posts(1, 60),
            posts(2, 60),
            pipelined(15),
            pipelined(15),
            faults(),
          ]);
        } finally {
          await pool.close();
          lb.close();
          await front.close();
        }
        expect(Object.fromEntries(statuses.get)).toEqual({ 200: 450 + 2 * 15 * 6 });
        const runs = new Map<string, number>();
        for (const id of executed) runs.set(id, (runs.get(id) ?? 0) + 1);
        for (const [id, n] of runs) expect(n, `POST ${id} executed ${n} times`).toBe(1);
        for (const [id, status] of statuses.post) {
          if (status === 200) expect(runs.get(id), `POST ${id} answered 200`).toBe(1);
        }
        expect(statuses.post.size).toBe(120);
        expect(h.logs.some((l) => l.startsWith(`upstream ${killed.url}/ is unhealthy`))).toBe(true);
        expect(h.logs.some((l) => l.startsWith(`upstream ${busy.url}/ is unhealthy`))).toBe(true);
      },
    );
  }
});
