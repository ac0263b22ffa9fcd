import { describe, expect, it } from 'vitest';
import { ErrPersistEOF, type ProtocolError } from '../../src/index.js';
import { ok, rejection, request, requests, useHarness, within } from './client-conn-harness.js';

const h = useHarness();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ClientConn read and do with a signal', () => {
  it('rejects with signal.reason and skips the response when its turn comes', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const q1 = request('GET', '/1');
    const q2 = request('GET', '/2');
    await conn.write(q1);
    await conn.write(q2);
    const ac = new AbortController();
    const reason = new Error('gave up');
    const first = conn.read(q1, { signal: ac.signal });
    ac.abort(reason);
    expect(await rejection(first)).toBe(reason);
    const second = conn.read(q2);
    await peer.waitFor(requests(2));
    await peer.write(ok('one') + ok('two'));
    expect(await (await within(second)).body.text()).toBe('two');
  });

  it('rejects at once with an already aborted signal, the response still skipped', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const q1 = request('GET', '/1');
    const q2 = request('GET', '/2');
    await conn.write(q1);
    await conn.write(q2);
    const reason = new Error('before');
    expect(await rejection(conn.read(q1, { signal: AbortSignal.abort(reason) }))).toBe(reason);
    await peer.write(ok('one') + ok('two'));
    expect(await (await within(conn.read(q2))).body.text()).toBe('two');
  });

  it('fails the conn (sticky) when a response being read is aborted', async () => {
    const { socket, conn, peer } = await h.dial(await h.serve());
    const q1 = request('GET', '/1');
    const q2 = request('GET', '/2');
    await conn.write(q1);
    await conn.write(q2);
    await peer.waitFor(requests(2));
    await peer.write('HTTP/1.1 200 OK\r\nContent-Le'); // the response has started
    const ac = new AbortController();
    const reason = new Error('stop');
    const first = conn.read(q1, { signal: ac.signal });
    await sleep(10);
    ac.abort(reason);
    expect(await within(rejection(first))).toBe(reason);
    expect(await within(rejection(conn.read(q2)))).toBe(reason);
    expect(socket.destroyed).toBe(true);
  });

  it('bounds do() when the server never answers', async () => {
    const { conn } = await h.dial(await h.serve());
    const started = Date.now();
    const err = await within(
      rejection(conn.do(request('GET', '/'), { signal: AbortSignal.timeout(100) })),
    );
    expect((err as Error).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('returns a response that arrives while the request body is still going out', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    async function* slow() {
      yield Buffer.from('part');
      await sleep(300);
      yield Buffer.from('rest');
    }
    const q = request('POST', '/upload', { body: slow() });
    const res = conn.do(q);
    await peer.waitFor('part');
    await peer.write(
      'HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expect((await within(res, 250)).status).toBe(413);
  });
});

describe('ClientConn readTimeout', () => {
  it('rejects a silent read with ERR_READ_TIMEOUT and closes the conn', async () => {
    const { socket, conn } = await h.dial(await h.serve(), { readTimeout: 100 });
    const started = Date.now();
    const err = (await within(rejection(conn.do(request('GET', '/'))))) as ProtocolError;
    expect(err.code).toBe('ERR_READ_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(socket.destroyed).toBe(true);
    expect(await rejection(conn.write(request('GET', '/again')))).toBe(err);
  });

  it('does not count idle time between messages, and each byte restarts it', async () => {
    const { conn, peer } = await h.dial(await h.serve(), { readTimeout: 150 });
    await sleep(300); // idle: no read pending
    const q = request('GET', '/');
    const res = conn.do(q);
    await peer.waitFor(requests(1));
    const wire = ok('slow body');
    for (const byte of wire.match(/[^]{1,8}/g)!) {
      await peer.write(byte);
      await sleep(60); // 8 bytes every 60 ms: silent for less than 150 ms at a time
    }
    expect(await (await within(res)).body.text()).toBe('slow body');
  });

  it('times out a body that stops arriving', async () => {
    const { conn, peer } = await h.dial(await h.serve(), { readTimeout: 100 });
    const res = conn.do(request('GET', '/'));
    await peer.waitFor(requests(1));
    await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf');
    const err = (await within(rejection((await res).body.text()))) as ProtocolError;
    expect(err.code).toBe('ERR_READ_TIMEOUT');
  });
});

describe('ClientConn on a socket destroyed by its user', () => {
  it('rejects with ERR_SOCKET_DESTROYED, not ErrPersistEOF', async () => {
    const { socket, conn } = await h.dial(await h.serve());
    const res = conn.do(request('GET', '/'));
    await sleep(10);
    socket.destroy();
    const err = (await within(rejection(res))) as ProtocolError;
    expect(err).not.toBe(ErrPersistEOF);
    expect(err.code).toBe('ERR_SOCKET_DESTROYED');
  });
});
