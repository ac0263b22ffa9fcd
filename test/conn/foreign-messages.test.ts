import { afterEach, describe, expect, it } from 'vitest';
import { Request, Response } from '../../src/index.js';
import { ok, rejection, request, requests, useHarness } from './client-conn-harness.js';
import { closeAll, serverConnPair } from './server-conn-harness.js';

const h = useHarness();
afterEach(closeAll);

/** The fetch globals: same names as httpwire's classes, another library. */
const FetchRequest = globalThis.Request;
const FetchResponse = globalThis.Response;

/** expectNamingError checks `err` is the TypeError that points at httpwire's class. */
function expectNamingError(err: unknown, where: string, cls: string): void {
  expect(err).toBeInstanceOf(TypeError);
  const message = (err as TypeError).message;
  expect(message).toContain(where);
  expect(message).toContain(`import { ${cls} } from 'httpwire'`);
  expect(message).toContain(`the fetch global ${cls} is not httpwire's`);
}

describe('ClientConn with a message from another library', () => {
  it('rejects a fetch Request in write, read and do with a TypeError, and stays usable', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const foreign = new FetchRequest('http://127.0.0.1/x') as unknown as Request;
    expectNamingError(await rejection(conn.write(foreign)), 'ClientConn.write', 'Request');
    expectNamingError(await rejection(conn.read(foreign)), 'ClientConn.read', 'Request');
    expectNamingError(await rejection(conn.do(foreign)), 'ClientConn.do', 'Request');
    expect(peer.received().length).toBe(0);
    expect(conn.pending()).toBe(0);

    const replied = peer.waitFor(requests(1)).then(() => peer.write(ok('fine')));
    const res = await conn.do(request('GET', '/ok'));
    await replied;
    expect(await res.body!.text()).toBe('fine');
  });

  it('names what it got when the value is no message at all', async () => {
    const { conn } = await h.dial(await h.serve());
    const err = await rejection(conn.write({ method: 'GET' } as unknown as Request));
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toMatch(/expected httpwire's Request .* got a plain object$/);
    const none = await rejection(conn.write(null as unknown as Request));
    expect((none as Error).message).toMatch(/got null$/);
  });
});

describe('ServerConn with a message from another library', () => {
  it('rejects a fetch Response in write with a TypeError, and answers the request afterwards', async () => {
    const { conn, client } = await serverConnPair();
    await client.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    const req = await conn.read();
    const foreign = new FetchResponse('nope') as unknown as Response;
    expectNamingError(await rejection(conn.write(req, foreign)), 'ServerConn.write', 'Response');
    const fetchReq = new FetchRequest('http://x/a') as unknown as Request;
    const wrongReq = await rejection(conn.write(fetchReq, new Response(200)));
    expectNamingError(wrongReq, 'ServerConn.write', 'Request');

    await conn.write(req, new Response(200, { body: 'yes' }));
    const wire = await client.waitFor((r) => r.toString('latin1').endsWith('yes'));
    expect(wire.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});
