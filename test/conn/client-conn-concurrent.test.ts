import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrBodyDiscarded, newClientConn, type ProtocolError } from '../../src/index.js';
import { connectTo } from '../helpers/raw-peer.js';
import { ok, rejection, request, requests, useHarness, within } from './client-conn-harness.js';

const h = useHarness();

/** Body sizes cycled through by request index: empty, tiny, around the 64 KiB buffer, 1 MiB. */
const SIZES = [0, 1, 100, 65535, 65537, 1 << 20];

/** bodyFor returns the body of response `i`: SIZES[i % n] bytes of one value that names it. */
function bodyFor(i: number): Buffer {
  return Buffer.alloc(SIZES[i % SIZES.length]!, 0x41 + (i % 26));
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** nodeOrigin answers `GET /<i>` with bodyFor(i). */
async function nodeOrigin(): Promise<number> {
  const server = createServer((req, res) => {
    res.end(bodyFor(Number(req.url!.slice(1))));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** twoWritten dials a raw peer and writes two GETs, received by the peer. */
async function twoWritten() {
  const { conn, peer } = await h.dial(await h.serve());
  const q1 = request('GET', '/1');
  const q2 = request('GET', '/2');
  await conn.write(q1);
  await conn.write(q2);
  await peer.waitFor(requests(2));
  return { conn, peer, q1, q2 };
}

describe('ClientConn concurrent do (API.md Unread bodies)', () => {
  for (const n of [1, 10, 100]) {
    it(`gets every body of Promise.all of ${n} do()s against node:http`, async () => {
      const socket = await connectTo(await nodeOrigin());
      const conn = newClientConn(socket);
      const reqs = Array.from({ length: n }, (_, i) => request('GET', `/${i}`));
      const bodies = await within(
        Promise.all(reqs.map((q) => conn.do(q).then((res) => res.body.bytes()))),
        10_000,
      );
      for (const [i, body] of bodies.entries()) expect(Buffer.compare(body, bodyFor(i))).toBe(0);
      conn.close();
    });
  }

  it('gets every body of Promise.all of 100 do()s from a pipelining peer answering in one write', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const reqs = Array.from({ length: 100 }, (_, i) => request('GET', `/${i}`));
    const all = Promise.all(reqs.map((q) => conn.do(q).then((res) => res.body.text())));
    await peer.waitFor(requests(100));
    const wire = reqs.map((_, i) => ok(bodyFor(i).toString('latin1'))).join('');
    await peer.write(wire);
    const texts = await within(all, 10_000);
    for (const [i, text] of texts.entries()) expect(text).toBe(bodyFor(i).toString('latin1'));
  });

  it('does not hang when a body is ignored (await read(q1); await read(q2))', async () => {
    const { conn, peer, q1, q2 } = await twoWritten();
    void peer.write(ok('x'.repeat(1 << 20)) + ok('second'));
    const res1 = await within(conn.read(q1));
    const res2 = await within(conn.read(q2), 3000, 'the read after an ignored 1 MiB body');
    expect(await res2.body.text()).toBe('second');
    // The ignored body was drained: reading it now rejects.
    expect(await rejection(res1.body.text())).toBe(ErrBodyDiscarded);
  });

  it('waits for a body being read before reading the next response', async () => {
    const { conn, peer, q1, q2 } = await twoWritten();
    await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello');
    const res1 = await conn.read(q1);
    const text1 = res1.body.text(); // a reader started, the body not complete
    const second = conn.read(q2);
    await new Promise((resolve) => setTimeout(resolve, 20)); // several macrotasks
    await peer.write('world' + ok('two'));
    expect(await within(text1)).toBe('helloworld');
    expect(await (await within(second)).body.text()).toBe('two');
  });

  it('keeps an empty unread body readable', async () => {
    const { conn, peer, q1, q2 } = await twoWritten();
    await peer.write(ok('') + ok('b'));
    const res1 = await conn.read(q1);
    expect(await (await conn.read(q2)).body.text()).toBe('b');
    expect(await res1.body.text()).toBe('');
  });

  it('rejects a later read of a drained body with ERR_BODY_DISCARDED', async () => {
    const { conn, peer, q1, q2 } = await twoWritten();
    await peer.write(ok('first') + ok('second'));
    const res1 = await conn.read(q1);
    await conn.read(q2);
    const err = (await rejection(res1.body.bytes())) as ProtocolError;
    expect(err).toBe(ErrBodyDiscarded);
    expect(err.code).toBe('ERR_BODY_DISCARDED');
  });
});
