import { afterEach, describe, expect, it } from 'vitest';
import { Response } from '../../src/index.js';
import { closeAll, serverConnPair } from './server-conn-harness.js';

afterEach(closeAll);

const okBytes = (body: string) =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ServerConn flow control', () => {
  it('pauses the socket while a large request body is unread and reads it all when asked', async () => {
    const { conn, client, socket } = await serverConnPair();
    const size = 8 * 1024 * 1024;
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) body[i] = (i / 4096) & 0xff;
    const head = `PUT /big HTTP/1.1\r\nHost: h\r\nContent-Length: ${size}\r\n\r\n`;
    const sending = client.write(Buffer.concat([Buffer.from(head), body]));
    const req = await conn.read();
    await sleep(100); // the client pushes as much as the server lets it
    // buffers on our side: read-ahead, body buffer, the socket's own buffer, one read of slack
    const bound = 512 * 1024;
    expect(socket.isPaused()).toBe(true);
    expect(socket.bytesRead).toBeLessThan(bound);
    let received = 0;
    let mismatch = -1;
    let chunks = 0;
    for await (const chunk of req.body!) {
      for (let i = 0; i < chunk.length; i++) {
        const at = received + i;
        if (chunk[i] !== body[at] && mismatch < 0) mismatch = at;
      }
      received += chunk.length;
      expect(socket.bytesRead - head.length - received).toBeLessThan(bound);
      if (++chunks % 16 === 0) await sleep(1); // a slow handler
    }
    expect(received).toBe(size);
    expect(mismatch).toBe(-1);
    await sending;
    await conn.write(req, new Response(200, { body: 'stored' }));
    await client.waitFor(okBytes('stored'));
  });

  it('answers a flood of 500 pipelined requests sent in one write, in order', async () => {
    const { conn, client } = await serverConnPair();
    const count = 500;
    let flood = '';
    for (let i = 0; i < count; i++) flood += `GET /item/${i} HTTP/1.1\r\nHost: h\r\n\r\n`;
    await client.write(flood);
    const requests = [];
    for (let i = 0; i < count; i++) requests.push(await conn.read());
    expect(conn.pending()).toBe(count);
    expect(requests.map((r) => r.url.path)).toEqual(
      Array.from({ length: count }, (_, i) => `/item/${i}`),
    );
    // answer them last to first: each write waits for every earlier one
    const writes = requests
      .slice()
      .reverse()
      .map((req) => conn.write(req, new Response(200, { body: req.url.path })));
    await Promise.all(writes);
    expect(conn.pending()).toBe(0);
    const expected = requests.map((r) => okBytes(r.url.path)).join('');
    expect((await client.waitFor(expected)).toString('latin1')).toBe(expected);
  });

  it('answers a flood of pipelined requests one by one as they are read', async () => {
    const { conn, client } = await serverConnPair({ readAhead: 1024 });
    const count = 500;
    let flood = '';
    for (let i = 0; i < count; i++) flood += `GET /n/${i} HTTP/1.1\r\nHost: h\r\n\r\n`;
    await client.write(flood);
    let expected = '';
    for (let i = 0; i < count; i++) {
      const req = await conn.read();
      expect(req.url.path).toBe(`/n/${i}`);
      await conn.write(req, new Response(200, { body: String(i) }));
      expected += okBytes(String(i));
    }
    expect((await client.waitFor(expected)).toString('latin1')).toBe(expected);
  });
});
