import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Header, Response } from '../../src/index.js';
import { closeAll, serverConnPair } from './server-conn-harness.js';

afterEach(closeAll);

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: example.test\r\n\r\n`;
const okBytes = (body: string) =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

/** countWrites counts the calls to `socket.write` from now on. */
function countWrites(socket: Socket): { calls: number } {
  const counter = { calls: 0 };
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    counter.calls++;
    return write(...args);
  }) as typeof socket.write;
  return counter;
}

describe('ServerConn write batching', () => {
  it('sends the answers to requests pipelined in one write in one socket write', async () => {
    const { conn, socket, client } = await serverConnPair();
    const paths = Array.from({ length: 16 }, (_, i) => `/r${i}`);
    await client.write(paths.map(GET).join(''));
    const reqs = [];
    for (let i = 0; i < paths.length; i++) reqs.push(await conn.read());
    const writes = countWrites(socket);
    await Promise.all(
      reqs.map((req) => conn.write(req, new Response(200, { body: req.url.path }))),
    );
    const expected = paths.map(okBytes).join('');
    expect((await client.waitFor(expected)).toString('latin1')).toBe(expected);
    expect(writes.calls).toBe(1);
  });

  it('keeps a large response in its place between batched small ones', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/a') + GET('/big') + GET('/c'));
    const [a, big, c] = [await conn.read(), await conn.read(), await conn.read()];
    const large = 'x'.repeat(40_000);
    await Promise.all([
      conn.write(a!, new Response(200, { body: 'a' })),
      conn.write(big!, new Response(200, { body: large })),
      conn.write(c!, new Response(200, { body: 'c' })),
    ]);
    const expected = okBytes('a') + okBytes(large) + okBytes('c');
    expect((await client.waitFor(expected)).toString('latin1')).toBe(expected);
  });

  it('keeps a 100 Continue after the batched answer to the request before', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(
      GET('/a') +
        'POST /b HTTP/1.1\r\nHost: example.test\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi',
    );
    const a = await conn.read();
    const b = await conn.read();
    const answered = conn.write(a, new Response(200, { body: 'a' }));
    await conn.writeInformational(b, 100, new Header());
    await answered;
    await conn.write(b, new Response(200, { body: await b.body!.text() }));
    const expected = okBytes('a') + 'HTTP/1.1 100 Continue\r\n\r\n' + okBytes('hi');
    expect((await client.waitFor(expected)).toString('latin1')).toBe(expected);
  });

  it('sends a batched answer before what the owner of the hijacked socket writes', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/a'));
    const a = await conn.read();
    void conn.write(a, new Response(200, { body: 'a' }));
    await Promise.resolve(); // the answer is batched, not yet written
    const { socket } = conn.hijack();
    socket.write('tunnel bytes');
    const expected = okBytes('a') + 'tunnel bytes';
    expect((await client.waitFor(expected)).toString('latin1')).toBe(expected);
    socket.destroy();
  });
});
