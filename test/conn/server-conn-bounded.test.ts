import { describe, expect, it } from 'vitest';
import { newServerConn, type ProtocolError, Response } from '../../src/index.js';
import { rejection, within } from '../helpers/waiting.js';
import { serverConnPair } from './server-conn-harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const GET = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';

describe('ServerConn read with a signal', () => {
  it('rejects with signal.reason before a byte arrived and stays usable', async () => {
    const { conn, client } = await serverConnPair();
    const ac = new AbortController();
    const reason = new Error('enough');
    const waiting = conn.read({ signal: ac.signal });
    await sleep(10);
    ac.abort(reason);
    expect(await within(rejection(waiting))).toBe(reason);
    await client.write(GET);
    const req = await within(conn.read());
    expect(req.url.path).toBe('/');
    expect(await req.body.text()).toBe(''); // IncomingRequest: body is never null
    await conn.write(req, new Response(204));
    await client.waitFor('204');
  });

  it('fails the conn (sticky) when the request being read is aborted', async () => {
    const { conn, client, socket } = await serverConnPair();
    await client.write('GET / HTTP/1.1\r\nHo');
    const ac = new AbortController();
    const reason = new Error('mid-request');
    const waiting = conn.read({ signal: ac.signal });
    await sleep(10);
    ac.abort(reason);
    expect(await within(rejection(waiting))).toBe(reason);
    expect(await within(rejection(conn.read()))).toBe(reason);
    expect(socket.destroyed).toBe(true);
  });
});

describe('ServerConn readTimeout', () => {
  it('does not count the idle time before a request', async () => {
    const { conn, client } = await serverConnPair({ readTimeout: 100 });
    const reading = conn.read();
    await sleep(250);
    await client.write(GET);
    expect((await within(reading)).method).toBe('GET');
  });

  it('rejects with ERR_READ_TIMEOUT when a started request goes silent, and closes', async () => {
    const { conn, client, socket } = await serverConnPair({ readTimeout: 100 });
    const reading = conn.read();
    await client.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc');
    const req = await within(reading);
    const err = (await within(rejection(req.body.text()))) as ProtocolError;
    expect(err.code).toBe('ERR_READ_TIMEOUT');
    expect(await rejection(conn.read())).toBe(err);
    expect(socket.destroyed).toBe(true);
  });
});

describe('ServerConn handles', () => {
  it('hands over a hijacked socket with readableFlowing null: a data listener starts it', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET);
    await conn.read();
    const { socket } = conn.hijack();
    expect(socket.readableFlowing).toBe(null);
    const got = new Promise<string>((resolve) =>
      socket.once('data', (c: Buffer) => resolve(c.toString())),
    );
    await client.write('after');
    expect(await within(got)).toBe('after');
  });

  it('resumes a socket handed over paused, once head is used up (newServerConn(socket, head))', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET + 'GET /2 HTTP/1.1\r\nHost: a\r\n\r\n');
    await conn.read();
    await sleep(10);
    const { socket, head } = conn.hijack();
    socket.pause(); // as a user or node:http may hand it over
    const again = newServerConn(socket, head);
    expect((await within(again.read())).url.path).toBe('/2');
    const third = again.read();
    await client.write('GET /3 HTTP/1.1\r\nHost: a\r\n\r\n');
    expect((await within(third, 5000, 'a request after head')).url.path).toBe('/3');
    again.close();
  });
});
