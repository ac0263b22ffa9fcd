/**
 * Shared set-up for the request-smuggling tests: a literal byte string goes
 * from a raw client through `newSingleHostReverseProxy` (behind
 * `createServer`, test/e2e/e2e-harness.ts) to a recording raw backend, and
 * `checkExchange` holds the outcome to the rule of docs/security.md: the
 * proxy either refuses the attack with an error status before any of its
 * bytes reach the backend, or forwards it with framing that our strict
 * parser and Node's llhttp both read as exactly the requests the proxy saw.
 */
import { expect } from 'vitest';
import { llhttpOracle } from '../../src/fuzz/llhttp-oracle.js';
import { Parser, parseMessages } from '../../src/parser/index.js';
import type { ParsedMessage, ParseResult } from '../../src/parser/types.js';
import type { ReverseProxy } from '../../src/proxy/reverse-proxy.js';
import { createServer, type ServerOptions } from '../../src/server/server.js';
import { bytes, type RawPeer } from '../helpers/raw-peer.js';
import {
  closedWithin,
  type ProxyUnderTest,
  rawClientOf,
  startProxy,
  startRawBackend,
  within,
} from '../e2e/e2e-harness.js';

/** Attack: one row of a smuggling table. */
export interface Attack {
  /** The attack, as the test is named. */
  name: string;
  /** The bytes the client sends, in one write (latin1). */
  send: string;
  /** The status the proxy answers the attack with, after answering `forwards` requests before it. */
  rejects?: 400 | 413 | 417 | 431 | 501 | 505;
  /** How many requests reach the backend; default 1, or 0 with `rejects`. */
  forwards?: number;
  /** The proxy's Server reads requests with these `LENIENT_FLAGS`; default 0, strict. */
  lenient?: number;
}

/** What one exchange left on the wire. */
export interface Exchange {
  /** Every byte the client received. */
  client: Buffer;
  /** Every byte each backend connection received, in accept order. */
  backend: Buffer[];
  /** What the proxy sent on, as its `proxy` hook saw it: method and request-target. */
  forwarded: { method: string; target: string }[];
  /** The proxy's and server's error log. */
  logs: string[];
}

/** The backend's answer to a request it parsed, and to an Upgrade or CONNECT request (refused). */
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
const OK_TO_HEAD = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n';
const REFUSED = 'HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno';
const BAD = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * recordingBackend answers, on each connection, every request its strict
 * parser completes: `200 ok` (no body to HEAD), `403` to an Upgrade or
 * CONNECT request, after which it goes on reading HTTP as a server that
 * declined the upgrade does. A parse error gets a 400 and a close. Every
 * byte received stays in the peer for `checkExchange`.
 */
function recordingBackend(peer: RawPeer): Promise<void> {
  let method = '';
  let upgrade = false;
  const parser = new Parser('request', {
    onHeadersComplete: (head) => {
      method = head.method ?? '';
      upgrade = head.upgrade;
    },
    onMessageComplete: () => {
      void peer.write(upgrade ? REFUSED : method === 'HEAD' ? OK_TO_HEAD : OK);
    },
  });
  peer.socket.on('data', (chunk: Buffer) => {
    try {
      let rest: Uint8Array = chunk;
      while (rest.length > 0) {
        const consumed = parser.execute(rest);
        if (!parser.upgraded) break;
        parser.resumeAfterUpgrade();
        rest = rest.subarray(consumed);
      }
    } catch {
      void peer.end(BAD);
    }
  });
  return peer.clientEnded();
}

/** finalResponses counts the complete non-1xx responses in `received`, answering requests with `methods` in order. */
function finalResponses(received: Uint8Array, methods: readonly string[]): ParsedMessage[] {
  const { messages } = parseMessages('response', received, { requestMethod: [...methods] });
  return messages.filter((m) => (m.status ?? 0) >= 200);
}

/** ExchangeOptions: how `sendThroughProxy` sets the proxy up. */
export interface ExchangeOptions {
  /** Options of the proxy's Server (a lenient parser, say); default the e2e harness's. */
  server?: ServerOptions;
  /** Changes the ReverseProxy before the client connects (wrap its director, set modifyResponse). */
  setup?: (proxy: ReverseProxy) => void;
}

/**
 * sendThroughProxy starts a recording backend and a proxy in front of it,
 * sends `payload` in one write from a raw client, waits for `responses`
 * final responses (or the proxy closing), half-closes, then shuts the
 * proxy down so that the backend connections end and their bytes are
 * complete.
 */
export async function sendThroughProxy(
  payload: string,
  responses: number,
  options: ExchangeOptions = {},
): Promise<Exchange> {
  const peers: RawPeer[] = [];
  const backend = await startRawBackend((peer) => {
    peers.push(peer);
    return recordingBackend(peer);
  });
  const forwarded: Exchange['forwarded'] = [];
  const proxy = await startProxy(backend.origin, {
    proxy: (_rw, out, _req, roundTrip) => {
      forwarded.push({ method: out.method, target: out.requestURI() });
      return roundTrip(out);
    },
  });
  options.setup?.(proxy.proxy);
  if (options.server !== undefined) await replaceServer(proxy, options.server);
  const client = await rawClientOf(proxy);
  const lenient = options.server?.lenient;
  const methods = parseMessages('request', bytes(payload), { lenient }).messages.map(
    (m) => m.method ?? '',
  );
  await client.write(payload);
  await client
    .waitFor((got) => finalResponses(got, methods).length >= responses, 3000)
    .catch(() => undefined); // the proxy closed first: the checks say whether it should have
  await client.end();
  await within(client.clientEnded(), 2000, 'the proxy closing the client connection');
  await within(proxy.server.close(), 2000, 'the proxy server closing');
  proxy.proxy.close();
  const closed = await Promise.all(peers.map((peer) => closedWithin(peer.socket, 2000)));
  expect(closed.every(Boolean), 'every backend connection closed').toBe(true);
  return {
    client: client.received(),
    backend: peers.map((peer) => peer.received()),
    forwarded,
    logs: proxy.logs,
  };
}

/**
 * replaceServer swaps the Server of `proxy` for one made with `options`
 * serving the same ReverseProxy and logging to the same list, so that
 * `rawClientOf` connects to it; the e2e cleanup closes it.
 */
async function replaceServer(proxy: ProxyUnderTest, options: ServerOptions): Promise<void> {
  const errorLog = (message: string) => proxy.logs.push(message);
  const old = proxy.server;
  proxy.server = createServer(proxy.proxy, { ...options, errorLog });
  await old.close();
}

/**
 * readRequests parses what a backend connection received with `parse`,
 * going on after an Upgrade or CONNECT request as the backend did once it
 * had refused it.
 */
function readRequests(
  parse: (input: Uint8Array) => ParseResult,
  received: Uint8Array,
): { messages: ParsedMessage[]; error: string | null } {
  const messages: ParsedMessage[] = [];
  let rest = received;
  for (;;) {
    const result = parse(rest);
    messages.push(...result.messages);
    const last = result.messages.at(-1);
    if (result.error !== null) return { messages, error: result.error.code };
    if (last?.upgrade !== true || result.consumed >= rest.length) return { messages, error: null };
    rest = rest.subarray(result.consumed);
  }
}

/** forwardsOf is how many requests of `attack` reach the backend (see `Attack.forwards`). */
function forwardsOf(attack: Attack): number {
  return attack.forwards ?? (attack.rejects === undefined ? 1 : 0);
}

/** The fields two readings of a request must agree on. */
function framed(m: ParsedMessage): { method: string | null; url: string | null; body: string } {
  return { method: m.method, url: m.url, body: Buffer.from(m.body).toString('latin1') };
}

/**
 * forwardedTarget is the request-target `newSingleHostReverseProxy` (with
 * no base path) sends for a request the client sent: the path joined to
 * the target's empty one as Go's joinURLPath does, so an absolute-form
 * target loses its scheme and authority (RFC 9112 §3.2.2), an
 * authority-form one (CONNECT) becomes `/` and `*` becomes `/*`.
 */
function forwardedTarget(m: ParsedMessage): string {
  const url = m.url ?? '';
  if (url.startsWith('/')) return url;
  if (url === '*') return '/*';
  const scheme = url.indexOf('://');
  if (m.method === 'CONNECT' || scheme === -1) return '/';
  const authority = url.slice(scheme + 3);
  const path = authority.search(/[/?]/);
  if (path === -1) return '/';
  return authority[path] === '?' ? `/${authority.slice(path)}` : authority.slice(path);
}

/**
 * checkExchange asserts the outcome `attack` promises, and the rule every
 * attack obeys: the bytes each backend connection received are read by our
 * strict parser and by Node's llhttp as the same complete requests, with
 * nothing left over; together they are exactly the requests the proxy sent
 * on, with the method, target and body the proxy itself read from the
 * client (our strict parser over the payload); and the client received one
 * final response for each of them, then the rejection if any.
 */
function checkExchange(attack: Attack, exchange: Exchange): void {
  const forwards = forwardsOf(attack);
  const saw = parseMessages('request', bytes(attack.send), { lenient: attack.lenient }).messages;
  const strict = exchange.backend.map((b) =>
    readRequests((input) => parseMessages('request', input), b),
  );
  for (const [i, reading] of strict.entries()) {
    const llhttp = readRequests((input) => llhttpOracle('request', input), exchange.backend[i]!);
    expect(reading.error, `strict parse of backend connection ${i}`).toBeNull();
    expect(llhttp.error, `llhttp parse of backend connection ${i}`).toBeNull();
    expect(
      llhttp.messages.map(framed),
      `llhttp reads backend connection ${i} as strict does`,
    ).toEqual(reading.messages.map(framed));
  }
  expect(exchange.forwarded, 'what the proxy sent on is what it read from the client').toEqual(
    saw.slice(0, forwards).map((m) => ({ method: m.method, target: forwardedTarget(m) })),
  );
  const received = strict.flatMap((reading) => reading.messages);
  expect(received.map(framed), 'requests the backend received').toEqual(
    exchange.forwarded.map(({ method, target }, i) => ({
      method,
      url: target,
      body: Buffer.from(saw[i]!.body).toString('latin1'),
    })),
  );
  const responses = finalResponses(
    exchange.client,
    saw.map((m) => m.method ?? ''),
  );
  const answers = received.map((m) => (m.upgrade ? 403 : 200));
  expect(
    responses.map((m) => m.status),
    'statuses the client received',
  ).toEqual(attack.rejects === undefined ? answers : [...answers, attack.rejects]);
  if (attack.rejects !== undefined) {
    expect(responses.at(-1)?.shouldKeepAlive, 'the rejection closes the connection').toBe(false);
  }
}

/** smuggles runs `sendThroughProxy` and `checkExchange` for `attack`; each table row's `it()` calls it. */
export async function smuggles(attack: Attack): Promise<void> {
  const responses = forwardsOf(attack) + (attack.rejects === undefined ? 0 : 1);
  const server = attack.lenient === undefined ? undefined : { lenient: attack.lenient };
  checkExchange(attack, await sendThroughProxy(attack.send, responses, { server }));
}
