/**
 * ReverseProxy's common path against its general one: a proxy with no
 * hooks and the same proxy with hooks that change nothing (a `proxy` hook
 * that only round-trips, a `modifyResponse` that returns) must put the same
 * bytes on both wires — what a raw recording backend receives and what a
 * raw client receives — for every request of a table covering hop-by-hop
 * fields, X-Forwarded-For, query sanitising, bodies, HEAD, HTTP/1.0, 1xx
 * and trailers. Any shortcut taken when no hook is set is held to this:
 * without hooks the server's fast path (server/fast-path.ts) serves the
 * plain requests and hands the others over, with what it already got, to
 * the general path that the hooked proxy always takes.
 */
import { describe, expect, it, vi } from 'vitest';
import { parseMessages } from '../../src/parser/index.js';
import { newSingleHostReverseProxy } from '../../src/proxy/reverse-proxy.js';
import { ConnectionLoop } from '../../src/server/connection-loop.js';
import type { RawPeer } from '../helpers/raw-peer.js';
import { useProxyHarness } from './harness.js';

const h = useProxyHarness();
const loops = vi.spyOn(ConnectionLoop.prototype, 'serve');
const DATE = 'Date: Mon, 07 Dec 2026 06:00:00 GMT\r\n';

interface Case {
  name: string;
  request: string;
  /** What the backend answers; null: it closes the connection instead. */
  response: string | null;
  /** The request method, for the framing of the response (HEAD). */
  method?: string;
  /**
   * Which path the unhooked proxy takes: `fast` answers it itself (no
   * ConnectionLoop is made); `either` depends on how the answer arrives
   * (whole in one read or not); by default it is handed over.
   */
  path?: 'fast' | 'either';
}

const CASES: readonly Case[] = [
  {
    name: 'a plain GET with a query',
    path: 'fast',
    request:
      'GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\nAccept: */*\r\n\r\n',
    response: `HTTP/1.1 200 OK\r\n${DATE}Content-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world`,
  },
  {
    name: 'hop-by-hop fields both ways, listed and fixed',
    path: 'fast',
    request:
      'GET / HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n' +
      'Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers, gzip\r\nX-Keep: 2\r\n\r\n',
    response:
      `HTTP/1.1 200 OK\r\n${DATE}Connection: X-Drop\r\nX-Drop: 1\r\nKeep-Alive: timeout=9\r\n` +
      'X-Stay: 3\r\nContent-Length: 2\r\n\r\nok',
  },
  {
    name: 'an X-Forwarded-For chain on two lines, mixed-case names',
    path: 'fast',
    request:
      'GET /x HTTP/1.1\r\nHost: example.com\r\nX-Forwarded-For: 10.0.0.1\r\nx-forwarded-for: 10.0.0.2\r\n' +
      'x-CUSTOM: A\r\naccept-ENCODING: gzip\r\n\r\n',
    response: `HTTP/1.1 200 OK\r\n${DATE}set-cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n`,
  },
  {
    name: 'a query with a semicolon, sanitised',
    path: 'fast',
    request: 'GET /q?a=1;b=2&c=3 HTTP/1.1\r\nHost: example.com\r\n\r\n',
    response: `HTTP/1.1 404 Not Found\r\n${DATE}Content-Length: 4\r\n\r\nnope`,
  },
  {
    name: 'a POST with a Content-Length body',
    request:
      'POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
    response: `HTTP/1.1 201 Created\r\n${DATE}Location: /form/1\r\nContent-Length: 0\r\n\r\n`,
  },
  {
    name: 'a chunked POST with trailers, TE: trailers asked, a chunked answer with trailers',
    request:
      'POST /up HTTP/1.1\r\nHost: example.com\r\nTE: trailers\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '3\r\nabc\r\n0\r\nX-Sum: 9\r\n\r\n',
    response:
      `HTTP/1.1 200 OK\r\n${DATE}Trailer: X-Check\r\nTransfer-Encoding: chunked\r\n\r\n` +
      '4\r\nbody\r\n0\r\nX-Check: yes\r\n\r\n',
  },
  {
    name: 'HEAD, answered with a length and no body',
    method: 'HEAD',
    request: 'HEAD /h HTTP/1.1\r\nHost: example.com\r\n\r\n',
    response: `HTTP/1.1 200 OK\r\n${DATE}Content-Length: 1234\r\n\r\n`,
  },
  {
    name: 'HTTP/1.0 without Host',
    request: 'GET /old HTTP/1.0\r\nUser-Agent: old\r\n\r\n',
    response: `HTTP/1.1 200 OK\r\n${DATE}Content-Length: 3\r\n\r\nold`,
  },
  {
    name: 'a 103 relayed before the final answer',
    request: 'GET /early HTTP/1.1\r\nHost: example.com\r\n\r\n',
    response:
      'HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n' +
      `HTTP/1.1 200 OK\r\n${DATE}Content-Length: 2\r\n\r\nhi`,
  },
  {
    name: "node:http's keep-alive fields and a body over 2048 bytes, whole",
    path: 'either',
    request: 'GET /big HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n',
    response:
      `HTTP/1.1 200 OK\r\n${DATE}Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n` +
      `Content-Length: 5000\r\n\r\n${'x'.repeat(5000)}`,
  },
  {
    name: 'a GET answered chunked, with a status without reason text',
    request: 'GET /stream HTTP/1.1\r\nHost: example.com\r\n\r\n',
    response: `HTTP/1.1 299 Whatever\r\n${DATE}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
  },
  {
    name: 'an empty POST answered by a backend that closes without a word (502, never sent twice)',
    method: 'POST',
    request: 'POST /gone HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n',
    response: null,
  },
  {
    name: 'a GET answered 200 with a Date of its own and no length (read to close)',
    request: 'GET /close HTTP/1.1\r\nHost: example.com\r\n\r\n',
    response: `HTTP/1.1 200 OK\r\n${DATE}Connection: close\r\n\r\nuntil the end`,
  },
  {
    name: 'a 304',
    request: 'GET /cached HTTP/1.1\r\nHost: example.com\r\nIf-None-Match: "x"\r\n\r\n',
    response: `HTTP/1.1 304 Not Modified\r\n${DATE}ETag: "x"\r\n\r\n`,
  },
  {
    name: 'a 204',
    request: 'DELETE /item HTTP/1.1\r\nHost: example.com\r\n\r\n',
    response: `HTTP/1.1 204 No Content\r\n${DATE}\r\n`,
  },
];

/** complete reports whether `bytes` hold a whole message of `kind` (a final response, for responses). */
function complete(kind: 'request' | 'response', method: string) {
  return (bytes: Buffer) => {
    const { messages, error } = parseMessages(kind, bytes, { requestMethod: method });
    if (error !== null) return false;
    const last = messages.at(-1);
    return last !== undefined && (kind === 'request' || (last.status ?? 0) >= 200);
  };
}

const WARM_REQUEST = 'GET /warm HTTP/1.1\r\nHost: example.com\r\n\r\n';
const WARM_RESPONSE = `HTTP/1.1 200 OK\r\n${DATE}Content-Length: 4\r\n\r\nwarm`;

/** after waits until the bytes `peer` received past `from` satisfy `match`, and returns them. */
async function after(peer: RawPeer, from: number, match: (b: Buffer) => boolean): Promise<Buffer> {
  const all = await peer.waitFor((b) => match(b.subarray(from)));
  return all.subarray(from);
}

/**
 * exchange sends `c.request` through a proxy, hooked or not, and returns
 * both wires' bytes. With `warm`, a first request leaves the proxy a kept-
 * alive backend connection, so `c.request` goes on a reused one (the
 * Transport's raw exchange, on the fast path); otherwise on a new one.
 */
async function exchange(
  c: Case,
  hooked: boolean,
  warm: boolean,
): Promise<{ backend: string; client: string }> {
  const method = c.method ?? 'GET';
  let backendBytes = '';
  const backend = await h.rawBackend(async (peer: RawPeer) => {
    let from = 0;
    if (warm) {
      from = (await peer.waitFor(complete('request', 'GET'))).length;
      await peer.write(WARM_RESPONSE);
    }
    const received = await after(peer, from, complete('request', method));
    // A request without Host gets the backend's, whose port differs between runs.
    backendBytes = received.toString('latin1').replaceAll(`:${backend.port}`, ':PORT');
    if (c.response === null) peer.destroy();
    else await peer.end(c.response);
  });
  const { proxy } = h.proxy({ director: () => undefined });
  proxy.director = newSingleHostReverseProxy(`http://127.0.0.1:${backend.port}`).director;
  if (hooked) {
    proxy.proxy = (_rw, out, _req, roundTrip) => roundTrip(out);
    proxy.modifyResponse = () => undefined;
  }
  const served = await h.frontend(proxy);
  const peer = await h.rawClient(served);
  let from = 0;
  if (warm) {
    await peer.write(WARM_REQUEST);
    from = (await peer.waitFor(complete('response', 'GET'))).length;
  }
  await peer.write(c.request);
  const answer = await after(peer, from, complete('response', method));
  await backend.scripts();
  // A Date the proxy adds (the 502) may fall on another second in the second run.
  const client = answer.toString('latin1').replace(/\r\nDate: [^\r]*/g, '\r\nDate: (now)');
  return { backend: backendBytes, client };
}

describe('ReverseProxy paths', () => {
  for (const c of CASES) {
    for (const warm of [false, true]) {
      const on = warm ? 'a reused backend connection' : 'a new backend connection';
      it(`sends the same bytes with and without no-op hooks, on ${on}: ${c.name}`, async () => {
        loops.mockClear();
        const plain = await exchange(c, false, warm);
        // The plain proxy's fast path answered it, or handed it over (a ConnectionLoop then).
        if (c.path === 'fast') expect(loops).not.toHaveBeenCalled();
        else if (c.path === undefined) expect(loops).toHaveBeenCalled();
        const hooked = await exchange(c, true, warm);
        expect(plain.backend).not.toBe('');
        expect(hooked).toEqual(plain);
      });
    }
  }
});
