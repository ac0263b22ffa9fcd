import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { newClientConn } from '../../src/index.js';
import { cert, key } from '../fixtures/tls/index.js';
import { listenerCounts } from '../helpers/raw-peer.js';
import { request } from './client-conn-harness.js';

let server: Server | null = null;
let socket: TLSSocket | null = null;

afterEach(async () => {
  socket?.destroy();
  socket = null;
  if (server !== null) {
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = null;
  }
});

/** An https server with the test certificate; `handler` answers like node:http's. */
async function startHttps(handler: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer({ key, cert }, handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function dialTLS(port: number): Promise<TLSSocket> {
  socket = connect({ host: '127.0.0.1', port, ca: cert, servername: 'localhost' });
  socket.on('error', () => undefined);
  await once(socket, 'secureConnect');
  return socket;
}

describe('ClientConn over TLS against node:https', () => {
  it('pipelines requests over a tls.TLSSocket and verifies the test certificate', async () => {
    let connections = 0;
    const port = await startHttps((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => res.end(`${req.method} ${req.url} ${Buffer.concat(parts).toString()}`));
    });
    server!.on('secureConnection', () => connections++);
    const tls = await dialTLS(port);
    expect(tls.authorized).toBe(true);
    const before = listenerCounts(tls);
    const conn = newClientConn(tls);
    const reqs = Array.from({ length: 10 }, (_, i) =>
      i % 2 === 0
        ? request('PUT', `/put/${i}`, { body: `secret ${i}` })
        : request('GET', `/get/${i}`),
    );
    for (const r of reqs) await conn.write(r);
    for (const [i, r] of reqs.entries()) {
      const res = await conn.read(r);
      expect(await res.body!.text()).toBe(
        i % 2 === 0 ? `PUT /put/${i} secret ${i}` : `GET /get/${i} `,
      );
    }
    expect(connections).toBe(1);
    const { socket: detached } = conn.hijack();
    expect(detached).toBe(tls);
    expect(listenerCounts(tls)).toEqual(before);
  });

  it('streams a 4 MiB response body over TLS with back-pressure, byte for byte', async () => {
    const size = 4 * 1024 * 1024;
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i++) payload[i] = (i * 7) & 0xff;
    const port = await startHttps((_req, res) => {
      res.setHeader('Content-Length', size);
      res.end(payload);
    });
    const conn = newClientConn(await dialTLS(port), undefined, { bodyHighWaterMark: 16384 });
    const req = request('GET', '/big');
    const res = await conn.do(req);
    expect(res.contentLength).toBe(size);
    let received = 0;
    let same = true;
    for await (const chunk of res.body!) {
      same &&= Buffer.from(chunk).equals(payload.subarray(received, received + chunk.length));
      received += chunk.length;
    }
    expect(received).toBe(size);
    expect(same).toBe(true);
    conn.close();
  });
});
