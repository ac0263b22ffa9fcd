import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ErrClosed, ErrPersistEOF, Request, type Response } from '../../src/index.js';
import { listenerCounts } from '../helpers/raw-peer.js';
import { ok, rejection, request, requests, useHarness } from './client-conn-harness.js';

const h = useHarness();

/** nextData resolves with the socket's next chunk and removes its listener (the socket is resumed). */
function nextData(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      resolve(chunk.toString('latin1'));
    });
    socket.resume();
  });
}

describe('ClientConn 1xx responses', () => {
  it('passes 100 Continue and 103 Early Hints to onInformational, then resolves with the final response', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const req = request('POST', '/upload', { body: 'data' });
    await conn.write(req);
    await peer.waitFor(requests(1));
    await peer.write(
      'HTTP/1.1 100 Continue\r\n\r\n' +
        'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n' +
        ok('done'),
    );
    const informational: Response[] = [];
    const res = await conn.read(req, { onInformational: (r) => informational.push(r) });
    expect(informational.map((r) => [r.status, r.statusText])).toEqual([
      [100, 'Continue'],
      [103, 'Early Hints'],
    ]);
    expect(informational[1]!.header.get('Link')).toBe('</style.css>; rel=preload');
    expect(res.status).toBe(200);
    expect(await res.body!.text()).toBe('done');
    expect(conn.pending()).toBe(0);
  });

  it('skips 1xx responses when there is no onInformational, and do() passes it on', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const a = request('GET', '/a');
    const b = request('GET', '/b');
    const replies = (async () => {
      await peer.waitFor(requests(1));
      await peer.write('HTTP/1.1 103 Early Hints\r\n\r\n' + ok('A'));
      await peer.waitFor(requests(2));
      await peer.write('HTTP/1.1 102 Processing\r\n\r\n' + ok('B'));
    })();
    expect(await (await conn.do(a)).body!.text()).toBe('A');
    const seen: number[] = [];
    const res = await conn.do(b, { onInformational: (r) => seen.push(r.status) });
    expect(await res.body!.text()).toBe('B');
    expect(seen).toEqual([102]);
    await replies;
  });
});

describe('ClientConn upgrades and hijack', () => {
  it('returns a 101 response, then hijack() gives the socket, the tunnel bytes of the same packet and no listeners of ours', async () => {
    const { conn, peer, socket, before } = await h.dial(await h.serve());
    const req = request('GET', '/chat', {
      header: { Connection: 'Upgrade', Upgrade: 'websocket' },
    });
    await conn.write(req);
    await peer.waitFor(requests(1));
    await peer.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n' +
        '\x81\x05hello',
    );
    const res = await conn.read(req);
    expect(res.status).toBe(101);
    expect(res.header.get('Upgrade')).toBe('websocket');
    const hijacked = conn.hijack();
    expect(hijacked.socket).toBe(socket);
    expect(hijacked.head.toString('latin1')).toBe('\x81\x05hello');
    expect(listenerCounts(socket)).toEqual(before);
    // The tunnel works both ways without the conn.
    socket.write('ping');
    await peer.waitFor('ping');
    const pong = nextData(socket);
    await peer.write('pong');
    expect(await pong).toBe('pong');
  });

  it('throws ErrClosed from every call after hijack()', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const req = request('GET', '/up', { header: { Connection: 'Upgrade', Upgrade: 'x' } });
    await conn.write(req);
    await peer.waitFor(requests(1));
    await peer.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n',
    );
    await conn.read(req);
    conn.hijack();
    expect(await rejection(conn.write(request('GET', '/more')))).toBe(ErrClosed);
    expect(() => conn.hijack()).toThrow(ErrClosed);
    conn.close(); // closing a hijacked conn does nothing
  });

  it('fails a pending read with ErrClosed when the conn is hijacked under it', async () => {
    const { conn } = await h.dial(await h.serve());
    const req = request('GET', '/slow');
    await conn.write(req);
    const reading = conn.read(req);
    await new Promise((resolve) => setTimeout(resolve, 10));
    conn.hijack();
    expect(await rejection(reading)).toBe(ErrClosed);
  });

  it('reads nothing past a 101 without Upgrade headers: later calls get ErrPersistEOF, hijack() gets the bytes', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const req = request('GET', '/plain');
    await conn.write(req);
    await peer.waitFor(requests(1));
    const after = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'; // must not be read as a response
    await peer.write(`HTTP/1.1 101 Switching Protocols\r\n\r\n${after}`);
    const res = await conn.read(req);
    expect(res.status).toBe(101);
    expect(await rejection(conn.write(request('GET', '/next')))).toBe(ErrPersistEOF);
    expect(conn.hijack().head.toString('latin1')).toBe(after);
  });

  it('returns the 200 to a CONNECT, then hijack() gives the tunnel bytes (RFC 9110 §9.3.6)', async () => {
    // Through a proxy conn too: CONNECT keeps the authority form.
    const { conn, peer, socket, before } = await h.dial(await h.serve(), { proxy: true });
    const req = new Request('CONNECT', 'https://example.com:443');
    await conn.write(req);
    const sent = await peer.waitFor('\r\n\r\n');
    expect(sent.toString('latin1')).toMatch(
      /^CONNECT example\.com:443 HTTP\/1\.1\r\nHost: example\.com:443\r\n/,
    );
    await peer.write('HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03\x01tls-hello');
    const res = await conn.read(req);
    expect(res.status).toBe(200);
    expect((await res.body!.bytes()).length).toBe(0);
    expect(await rejection(conn.write(request('GET', '/after')))).toBe(ErrPersistEOF);
    const { head } = conn.hijack();
    expect(head.toString('latin1')).toBe('\x16\x03\x01tls-hello');
    expect(listenerCounts(socket)).toEqual(before);
  });

  it('reads the body of a refused CONNECT and keeps the connection', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const req = new Request('CONNECT', 'https://example.com:443');
    const next = request('GET', '/next');
    await conn.write(req);
    await conn.write(next);
    await peer.waitFor((b) => b.includes('GET /next'));
    await peer.write(
      'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 6\r\n\r\ndenied' + ok('n'),
    );
    const res = await conn.read(req);
    expect(res.status).toBe(407);
    expect(await res.body!.text()).toBe('denied');
    expect(await (await conn.read(next)).body!.text()).toBe('n');
  });

  it('hands back pipelined response bytes that arrived but were not read in the hijacked head', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const a = request('GET', '/a');
    const b = request('GET', '/b');
    await conn.write(a);
    await conn.write(b);
    await peer.waitFor(requests(2));
    await peer.write(ok('first') + ok('second', 'X-Second: yes\r\n'));
    expect(await (await conn.read(a)).body!.text()).toBe('first');
    const { head } = conn.hijack();
    expect(head.toString('latin1')).toBe(ok('second', 'X-Second: yes\r\n'));
  });

  it('hands back every byte when hijacked before any read', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    await conn.write(request('GET', '/a'));
    await peer.waitFor(requests(1));
    await peer.write(ok('unread'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(conn.hijack().head.toString('latin1')).toBe(ok('unread'));
  });
});

describe('newClientConn and newProxyClientConn', () => {
  it('reads a response from the head bytes given to newClientConn before the socket', async () => {
    const server = await h.serve();
    const { conn, peer } = await h.dial(server, {
      head: Buffer.from(ok('from head') + 'HTTP/1.1 200 OK\r\nContent-Len', 'latin1'),
    });
    const a = request('GET', '/a');
    const b = request('GET', '/b');
    await conn.write(a);
    await conn.write(b);
    expect(await (await conn.read(a)).body!.text()).toBe('from head');
    await peer.write('gth: 11\r\n\r\nfrom socket');
    expect(await (await conn.read(b)).body!.text()).toBe('from socket');
  });

  it('writes absolute-form targets through newProxyClientConn (RFC 9112 §3.2.2)', async () => {
    const { conn, peer } = await h.dial(await h.serve(), { proxy: true });
    await conn.write(new Request('GET', 'http://example.com:8080/a/b?x=%2F&y'));
    const sent = await peer.waitFor(requests(1));
    expect(sent.toString('latin1')).toBe(
      'GET http://example.com:8080/a/b?x=%2F&y HTTP/1.1\r\nHost: example.com:8080\r\n\r\n',
    );
  });

  it('writes origin-form targets through newClientConn', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    await conn.write(new Request('GET', 'http://example.com:8080/a/b?x=%2F&y'));
    const sent = await peer.waitFor(requests(1));
    expect(sent.toString('latin1')).toBe(
      'GET /a/b?x=%2F&y HTTP/1.1\r\nHost: example.com:8080\r\n\r\n',
    );
  });
});
