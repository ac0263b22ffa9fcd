import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { endingOf } from '../helpers/closing.js';
import { connectTo } from '../helpers/raw-peer.js';
import { responsesIn } from '../helpers/responses.js';
import { cleanup, listening } from '../server/harness.js';

const clients: Socket[] = [];

afterEach(async () => {
  for (const socket of clients.splice(0)) socket.destroy();
  await cleanup();
});

/** client connects to `port` and collects what it receives. */
async function client(port: number) {
  const socket = await connectTo(port);
  clients.push(socket);
  const parts: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => parts.push(chunk));
  return { socket, received: () => Buffer.concat(parts) };
}

/** get sends a GET on `c` and resolves once its response (a 2-byte body) arrived. */
async function get(c: Awaited<ReturnType<typeof client>>): Promise<void> {
  const before = responsesIn(c.received()).length;
  c.socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  for (let i = 0; i < 200 && responsesIn(c.received()).length === before; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('Server maxConnections', () => {
  it('answers a connection beyond maxConnections with 503 and closes it, without reading its request', async () => {
    let handled = 0;
    const { port } = await listening(
      async (rw) => {
        handled++;
        await rw.write('hi');
      },
      { maxConnections: 2 },
    );
    const a = await client(port);
    const b = await client(port);
    await get(a);
    await get(b);
    const c = await client(port);
    const ending = endingOf(c.socket);
    c.socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(await ending).toBe('fin');
    const [refused] = responsesIn(c.received());
    expect(refused!.status).toBe(503);
    expect(refused!.field('Connection')).toBe('close');
    expect(refused!.text).toBe('503 Service Unavailable: too many connections\n');
    expect(handled).toBe(2);
  });

  it('serves a new connection again once one of the others has closed', async () => {
    const { port } = await listening(async (rw) => rw.write('hi'), { maxConnections: 1 });
    const a = await client(port);
    await get(a);
    const closed = endingOf(a.socket); // the server's side ends too once the client's FIN arrives
    a.socket.end();
    expect(await closed).toBe('fin');
    // The server forgets the connection when its socket closes, a moment after its FIN.
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      const b = await client(port);
      await get(b);
      status = responsesIn(b.received())[0]?.status ?? 0;
      b.socket.destroy();
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(status).toBe(200);
  });

  it('has no limit by default', async () => {
    const { port } = await listening(async (rw) => rw.write('hi'));
    const all = await Promise.all(Array.from({ length: 20 }, () => client(port)));
    await Promise.all(all.map(get));
    expect(all.map((c) => responsesIn(c.received()).map((r) => r.status))).toEqual(
      Array.from({ length: 20 }, () => [200]),
    );
  });
});
