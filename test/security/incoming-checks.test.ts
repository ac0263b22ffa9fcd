/**
 * The checks a connection makes on every incoming head, below the Server:
 * ServerConn.read refuses an ambiguous Host or a transfer coding it cannot
 * decode with a typed ProtocolError (so a ServerConn user refuses what the
 * Server does), and ClientConn.read refuses a response whose coding it
 * cannot decode, which a ReverseProxy then answers with 502 instead of
 * forwarding coded bytes as plain ones.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrPersistEOF, type ProtocolError } from '../../src/index.js';
import { ok, rejection, request, useHarness } from '../conn/client-conn-harness.js';
import { closeAll, serverConnPair } from '../conn/server-conn-harness.js';
import {
  cleanup,
  closedWithin,
  rawClientOf,
  startProxy,
  startRawBackend,
} from '../e2e/e2e-harness.js';
import { parseMessages } from '../../src/parser/index.js';

afterEach(closeAll);
afterEach(cleanup);
const h = useHarness();

/** codeOf resolves with the `code` of the error `promise` rejects with. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err = (await rejection(promise)) as ProtocolError;
  return err.code;
}

describe('ServerConn refuses request heads a server must not guess at', () => {
  const refused: [what: string, wire: string, code: string][] = [
    [
      'two Host lines (RFC 9112 §3.2)',
      'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
      'ERR_DUPLICATE_HOST',
    ],
    ['two equal Host lines', 'GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n', 'ERR_DUPLICATE_HOST'],
    ['a Host with a path', 'GET / HTTP/1.1\r\nHost: a/b\r\n\r\n', 'ERR_INVALID_HOST'],
    ['a Host with userinfo', 'GET / HTTP/1.1\r\nHost: u@a\r\n\r\n', 'ERR_INVALID_HOST'],
    [
      'Transfer-Encoding: gzip, chunked (Go: unsupportedTEError)',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
      'ERR_UNSUPPORTED_TRANSFER_ENCODING',
    ],
    [
      'a second Transfer-Encoding line before chunked',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'ERR_UNSUPPORTED_TRANSFER_ENCODING',
    ],
  ];
  for (const [what, wire, code] of refused) {
    it(`throws ${code} for ${what}, and again on the next read`, async () => {
      const { conn, client } = await serverConnPair();
      await client.write(wire);
      expect(await codeOf(conn.read())).toBe(code);
      expect(await codeOf(conn.read())).toBe(code);
    });
  }

  it('reads a request without Host by default, as Go’s ReadRequest does', async () => {
    const { conn, client } = await serverConnPair();
    await client.write('GET /a HTTP/1.1\r\n\r\n');
    const req = await conn.read();
    expect(req.host).toBe('');
    expect(req.url.path).toBe('/a');
  });

  it('throws ERR_MISSING_HOST for HTTP/1.1 without Host when requireHostHeader is set', async () => {
    const { conn, client } = await serverConnPair({ requireHostHeader: true });
    await client.write('GET http://a.test/ HTTP/1.1\r\n\r\n');
    expect(await codeOf(conn.read())).toBe('ERR_MISSING_HOST');
  });

  it('reads HTTP/1.0 without Host, CONNECT without Host and an empty Host when requireHostHeader is set', async () => {
    const { conn, client } = await serverConnPair({ requireHostHeader: true });
    await client.write(
      'GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' +
        'GET /empty HTTP/1.1\r\nHost:\r\n\r\n' +
        'CONNECT a.test:443 HTTP/1.1\r\n\r\n',
    );
    const old = await conn.read();
    expect([old.url.path, old.host]).toEqual(['/old', '']);
    const empty = await conn.read();
    expect([empty.url.path, empty.host]).toEqual(['/empty', '']);
    const connect = await conn.read();
    expect([connect.method, connect.host]).toEqual(['CONNECT', 'a.test:443']);
  });

  it('reads one Transfer-Encoding: chunked in any case, and takes the Host out of the header', async () => {
    const { conn, client } = await serverConnPair({ requireHostHeader: true });
    await client.write(
      'POST / HTTP/1.1\r\nhOsT: a.test\r\ntransfer-encoding: ChUnKeD\r\n\r\n2\r\nhi\r\n0\r\n\r\n' +
        'GET / HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n',
    );
    const req = await conn.read();
    expect(req.host).toBe('a.test');
    expect(req.header.has('Host')).toBe(false);
    expect(await req.body!.text()).toBe('hi');
    expect((await conn.read()).host).toBe('b');
    await expect(conn.read()).rejects.toBe(ErrPersistEOF);
  });
});

describe('ClientConn refuses a response coding it cannot decode', () => {
  const refused: [what: string, head: string][] = [
    ['gzip, chunked', 'Transfer-Encoding: gzip, chunked\r\n'],
    ['gzip alone, delimited by close', 'Transfer-Encoding: gzip\r\n'],
    ['two Transfer-Encoding lines', 'Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n'],
  ];
  for (const [what, head] of refused) {
    it(`throws ERR_UNSUPPORTED_TRANSFER_ENCODING for ${what}, and on the next call`, async () => {
      const { conn, peer } = await h.dial(await h.serve());
      const req = request('GET', '/');
      await conn.write(req);
      await peer.waitFor('\r\n\r\n');
      await peer.write(`HTTP/1.1 200 OK\r\n${head}\r\n5\r\nhello\r\n0\r\n\r\n`);
      expect(await codeOf(conn.read(req))).toBe('ERR_UNSUPPORTED_TRANSFER_ENCODING');
      expect(await codeOf(conn.write(request('GET', '/next')))).toBe(
        'ERR_UNSUPPORTED_TRANSFER_ENCODING',
      );
    });
  }

  it('reads Transfer-Encoding: CHUNKED', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const req = request('GET', '/');
    await conn.write(req);
    await peer.waitFor('\r\n\r\n');
    await peer.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\n2\r\nhi\r\n0\r\n\r\n');
    const res = await conn.read(req);
    expect(await res.body!.text()).toBe('hi');
    const next = request('GET', '/next'); // the connection is still good
    await conn.write(next);
    await peer.write(ok('x'));
    expect(await (await conn.read(next)).body!.text()).toBe('x');
  });
});

describe('ReverseProxy and a backend response coded gzip, chunked', () => {
  it('answers 502 and closes the backend connection, sending none of the coded bytes', async () => {
    const backend = await startRawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n6\r\n\x1f\x8bGZIP\r\n0\r\n\r\n',
      );
    });
    const proxy = await startProxy(backend.origin);
    const client = await rawClientOf(proxy);
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await client.waitFor((got) => parseMessages('response', got).messages.length === 1);
    const [res] = parseMessages('response', client.received()).messages;
    expect(res!.status).toBe(502);
    expect(client.received().includes('GZIP')).toBe(false);
    const backendSide = (await backend.nextPeer()).socket;
    expect(await closedWithin(backendSide, 2000)).toBe(true);
    expect(proxy.logs.join('\n')).toContain('unsupported transfer encoding');
  });
});
