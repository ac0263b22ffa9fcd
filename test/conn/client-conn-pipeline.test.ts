import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ErrPipeline, newClientConn, type ProtocolError } from '../../src/index.js';
import { connectTo, listenerCounts } from '../helpers/raw-peer.js';
import { ok, rejection, request, requests, useHarness, within } from './client-conn-harness.js';

const h = useHarness();

describe('ClientConn pipelining', () => {
  it('matches pipelined responses to requests in order', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const reqs = [1, 2, 3, 4, 5].map((i) => request('GET', `/${i}`));
    for (const r of reqs) await conn.write(r);
    const sent = await peer.waitFor(requests(5));
    expect(sent.toString('latin1').match(/^GET \/\d /gm)).toEqual([
      'GET /1 ',
      'GET /2 ',
      'GET /3 ',
      'GET /4 ',
      'GET /5 ',
    ]);
    await peer.write([1, 2, 3, 4, 5].map((i) => ok(`body ${i}`)).join(''));
    for (const [i, r] of reqs.entries()) {
      const res = await conn.read(r);
      expect(res.request).toBe(r);
      expect(await res.body!.text()).toBe(`body ${i + 1}`);
    }
  });

  it('sends the first request of a run at once and corks the rest of the run into one write', async () => {
    const { socket, conn, peer } = await h.dial(await h.serve());
    const reqs = [1, 2, 3].map((i) => request('GET', `/${i}`));
    const writing = conn.write(reqs[0]!);
    expect(socket.writableCorked).toBe(0); // the first went to the socket uncorked
    const rest = [conn.write(reqs[1]!), conn.write(reqs[2]!)];
    expect(socket.writableCorked).toBe(1); // the others wait for the end of the run
    await Promise.all([writing, ...rest]);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(socket.writableCorked).toBe(0);
    const sent = await peer.waitFor(requests(3));
    expect(sent.toString('latin1').match(/^GET \/\d /gm)).toEqual([
      'GET /1 ',
      'GET /2 ',
      'GET /3 ',
    ]);
    await peer.write(ok('a') + ok('b') + ok('c'));
    for (const r of reqs) expect((await conn.read(r)).status).toBe(200);
  });

  it('makes read(req3) called before read(req1) wait its turn', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const [a, b, c] = ['/a', '/b', '/c'].map((p) => request('GET', p));
    for (const r of [a!, b!, c!]) await conn.write(r);
    const order: string[] = [];
    const third = conn.read(c!).then((res) => {
      order.push(`c got ${res.header.get('X-Name')}`);
      return res;
    });
    await peer.waitFor(requests(3));
    await peer.write(
      ok('A', 'X-Name: A\r\n') + ok('B', 'X-Name: B\r\n') + ok('C', 'X-Name: C\r\n'),
    );
    const first = await conn.read(a!);
    order.push(`a got ${first.header.get('X-Name')}`);
    expect(await first.body!.text()).toBe('A');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(['a got A']); // c still waits for b
    const second = await conn.read(b!);
    order.push(`b got ${second.header.get('X-Name')}`);
    expect(await (await third).body!.text()).toBe('C');
    expect(order).toEqual(['a got A', 'b got B', 'c got C']);
  });

  it('matches concurrent do() calls to their responses in call order (each read drains the body before it)', async () => {
    const server = await h.serve(async (peer) => {
      await peer.waitFor(requests(6));
      const paths = peer
        .received()
        .toString('latin1')
        .match(/^GET (\S+)/gm)!;
      await peer.write(paths.map((line) => ok('body', `X-Path: ${line.slice(4)}\r\n`)).join(''));
    });
    const { conn } = await h.dial(server);
    const paths = ['/a', '/b', '/c', '/d', '/e', '/f'];
    const responses = await Promise.all(paths.map((p) => conn.do(request('GET', p))));
    expect(responses.map((res) => res.header.get('X-Path'))).toEqual(paths);
    expect(responses.map((res) => res.request!.url.path)).toEqual(paths);
    expect(await responses[5]!.body!.text()).toBe('body');
  });

  it('reads 40 pipelined responses of 10 KB each through a 4 KiB read-ahead bound', async () => {
    const { conn, peer } = await h.dial(await h.serve(), { readAhead: 4096 });
    const reqs = Array.from({ length: 40 }, (_, i) => request('GET', `/${i}`));
    for (const r of reqs) await conn.write(r);
    await peer.waitFor(requests(40));
    const body = (i: number) => String(i % 10).repeat(10_000);
    const wrote = peer.write(reqs.map((_, i) => ok(body(i))).join(''));
    for (const [i, r] of reqs.entries()) {
      expect(await (await conn.read(r)).body!.text()).toBe(body(i));
    }
    await wrote;
  });

  it('throws ErrPipeline from read for a request that was never written (persist.go)', async () => {
    const { conn } = await h.dial(await h.serve());
    expect(await rejection(conn.read(request('GET', '/never')))).toBe(ErrPipeline);
  });

  it('throws ErrPipeline from a second read of the same request (persist.go)', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const a = request('GET', '/a');
    await conn.write(a);
    await peer.waitFor(requests(1));
    await peer.write(ok('once'));
    await (await conn.read(a)).body!.text();
    expect(await rejection(conn.read(a))).toBe(ErrPipeline);
  });

  it('throws ErrPipeline from read for a request whose write failed, and keeps the write error (persist.go)', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const good = request('GET', '/good');
    const failure = new Error('body source broke');
    const bad = request('POST', '/bad', {
      body: (async function* () {
        yield Buffer.from('partial');
        throw failure;
      })(),
    });
    await conn.write(good);
    expect(await rejection(conn.write(bad))).toBe(failure);
    expect(await rejection(conn.read(bad))).toBe(ErrPipeline);
    expect(await rejection(conn.write(request('GET', '/later')))).toBe(failure);
    // The response to the request written before the failure is still read.
    await peer.waitFor(requests(1));
    await peer.write(ok('fine'));
    expect(await (await conn.read(good)).body!.text()).toBe('fine');
  });

  it('throws ErrPipeline from a read that waited its turn while the write of its request failed', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const first = request('GET', '/first');
    let fail!: (err: Error) => void;
    const broken = new Promise<never>((_, reject) => (fail = reject));
    const failure = new Error('body source broke');
    const bad = request('POST', '/bad', {
      body: (async function* () {
        yield Buffer.from('partial');
        await broken;
      })(),
    });
    await conn.write(first);
    const writing = conn.write(bad);
    const reading = conn.read(bad); // claimed while the write is in flight; waits for /first
    await peer.waitFor('partial');
    fail(failure);
    expect(await rejection(writing)).toBe(failure);
    await peer.write(ok('first'));
    expect(await (await conn.read(first)).body!.text()).toBe('first');
    expect(await rejection(within(reading))).toBe(ErrPipeline);
  });

  it('lets read(req) start while write(req) is still sending the body', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const req = request('PUT', '/slow', {
      body: (async function* () {
        yield Buffer.from('one ');
        await gate;
        yield Buffer.from('two');
      })(),
    });
    const written = conn.write(req);
    const read = conn.read(req);
    await peer.waitFor('one ');
    release();
    await peer.waitFor(requests(1));
    await peer.write(ok('got it'));
    await written;
    expect(await (await read).body!.text()).toBe('got it');
  });

  it('drains an unread previous body when reading the next response; that body then errors ERR_BODY_DISCARDED', async () => {
    const { conn, peer } = await h.dial(await h.serve(), { bodyHighWaterMark: 1024 });
    const a = request('GET', '/big');
    const b = request('GET', '/next');
    await conn.write(a);
    await conn.write(b);
    await peer.waitFor(requests(2));
    const big = 'x'.repeat(200_000);
    const wrote = peer.write(ok(big) + ok('small'));
    const first = await conn.read(a);
    const second = await conn.read(b);
    await wrote;
    expect(await second.body!.text()).toBe('small');
    const err = (await rejection(first.body!.text())) as ProtocolError;
    expect(err.code).toBe('ERR_BODY_DISCARDED');
  });

  it('waits for a body being consumed before reading the next response', async () => {
    const { conn, peer } = await h.dial(await h.serve(), { bodyHighWaterMark: 1024 });
    const a = request('GET', '/big');
    const b = request('GET', '/next');
    await conn.write(a);
    await conn.write(b);
    await peer.waitFor(requests(2));
    const big = 'y'.repeat(100_000);
    const order: string[] = [];
    const wrote = peer.write(ok(big) + ok('small'));
    const first = await conn.read(a);
    const text = first.body!.text().then((t) => {
      order.push('body a');
      return t;
    });
    const second = conn.read(b).then((res) => {
      order.push('response b');
      return res;
    });
    await wrote;
    expect(await text).toBe(big);
    expect(await (await second).body!.text()).toBe('small');
    expect(order).toEqual(['body a', 'response b']);
  });
});

describe('ClientConn against node:http', () => {
  it('sends 25 pipelined requests on one connection and matches every response', async () => {
    let connections = 0;
    const server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        res.setHeader('X-Path', req.url ?? '');
        res.end(`${req.method} ${req.url} ${Buffer.concat(parts).toString()}`);
      });
    });
    server.on('connection', () => connections++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const socket = await connectTo((server.address() as AddressInfo).port);
    const before = listenerCounts(socket);
    const conn = newClientConn(socket);
    try {
      const reqs = Array.from({ length: 25 }, (_, i) =>
        i % 3 === 0
          ? request('POST', `/p/${i}`, { body: `payload ${i}` })
          : request('GET', `/g/${i}?q=${i}`),
      );
      for (const r of reqs) await conn.write(r);
      expect(conn.pending()).toBe(25);
      for (const [i, r] of reqs.entries()) {
        const res = await conn.read(r);
        expect(res.status).toBe(200);
        expect(res.header.get('X-Path')).toBe(r.requestURI());
        const expected = i % 3 === 0 ? `POST /p/${i} payload ${i}` : `GET /g/${i}?q=${i} `;
        expect(await res.body!.text()).toBe(expected);
      }
      expect(conn.pending()).toBe(0);
      expect(connections).toBe(1);
    } finally {
      conn.close();
      expect(listenerCounts(socket)).toEqual(before);
      socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
