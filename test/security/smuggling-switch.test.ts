/**
 * Websocket/h2c smuggling through a bare 101 (issue 11 §1, docs/security.md):
 * a backend answers a request that asked for no upgrade — or for another
 * one — with `101 Switching Protocols`. Were the proxy to splice the
 * sockets, the client's next request (`GET /admin` with a forged
 * `X-Forwarded-For: 10.0.0.1`) would reach the backend raw, past the
 * director and the X-Forwarded-For rule. Each row sends a first request,
 * lets a raw backend answer it with the row's 101, then sends that request:
 * the client must get 502, the backend connection must be closed having
 * received the first request only, and the second request may reach a
 * backend only as a request the proxy forwarded (its X-Forwarded-For
 * appended to).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessages } from '../../src/parser/index.js';
import type { Request } from '../../src/message/request.js';
import type { RawPeer } from '../helpers/raw-peer.js';
import {
  cleanup,
  closedWithin,
  rawClientOf,
  startProxy,
  startRawBackend,
  within,
} from '../e2e/e2e-harness.js';

afterEach(cleanup);

const SMUGGLED = 'GET /admin HTTP/1.1\r\nHost: internal\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n';
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
const BARE = 'HTTP/1.1 101 Switching Protocols\r\n\r\n';
const WEBSOCKET_101 =
  'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
const ASKS_WEBSOCKET = 'Connection: Upgrade\r\nUpgrade: websocket\r\n';

/** SwitchAttack: a first request and the 101 the backend answers it with. */
interface SwitchAttack {
  name: string;
  /** The client's first request, whole. */
  send: string;
  /** The backend's answer to it, ending in a 101 head. */
  answer: string;
  /** Changes the outgoing request after the single-host director. */
  director?: (out: Request) => void;
}

const ATTACKS: SwitchAttack[] = [
  {
    name: 'a bare 101 to a GET that asked for no upgrade',
    send: 'GET / HTTP/1.1\r\nHost: a\r\n\r\n',
    answer: BARE,
  },
  {
    name: 'a websocket 101 to a GET that asked for no upgrade',
    send: 'GET / HTTP/1.1\r\nHost: a\r\n\r\n',
    answer: WEBSOCKET_101,
  },
  {
    name: 'an h2c 101 to an h2c upgrade the proxy did not forward',
    send:
      'GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n' +
      'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n',
    answer: 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n',
  },
  {
    name: 'a 101 with an empty Upgrade to a websocket upgrade',
    send: `GET /ws HTTP/1.1\r\nHost: a\r\n${ASKS_WEBSOCKET}\r\n`,
    answer: 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: \r\n\r\n',
  },
  {
    name: 'a bare 101 to a websocket upgrade',
    send: `GET /ws HTTP/1.1\r\nHost: a\r\n${ASKS_WEBSOCKET}\r\n`,
    answer: BARE,
  },
  {
    name: 'a 101 whose Connection does not list upgrade',
    send: `GET /ws HTTP/1.1\r\nHost: a\r\n${ASKS_WEBSOCKET}\r\n`,
    answer:
      'HTTP/1.1 101 Switching Protocols\r\nConnection: keep-alive\r\nUpgrade: websocket\r\n\r\n',
  },
  {
    name: 'a 101 to another protocol than the one requested',
    send: `GET /ws HTTP/1.1\r\nHost: a\r\n${ASKS_WEBSOCKET}\r\n`,
    answer: 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: tls/1.3\r\n\r\n',
  },
  {
    name: 'a bare 101 to HEAD',
    send: 'HEAD / HTTP/1.1\r\nHost: a\r\n\r\n',
    answer: BARE,
  },
  {
    name: 'a websocket 101 to CONNECT',
    send: `CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n${ASKS_WEBSOCKET}\r\n`,
    answer: WEBSOCKET_101,
  },
  {
    name: 'a websocket 101 to an upgrade the director removed',
    send: `GET /ws HTTP/1.1\r\nHost: a\r\n${ASKS_WEBSOCKET}\r\n`,
    answer: WEBSOCKET_101,
    director: (out) => out.header.delete('Upgrade'),
  },
  {
    name: 'a bare 101 after a 102 and a 103',
    send: 'GET / HTTP/1.1\r\nHost: a\r\n\r\n',
    answer: `HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${BARE}`,
  },
  {
    name: 'a websocket 101 after a 100 to a request that asked for no upgrade',
    send: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi',
    answer: `HTTP/1.1 100 Continue\r\n\r\n${WEBSOCKET_101}`,
  },
];

/** finalStatuses lists the statuses of the non-1xx responses in `received`. */
function finalStatuses(received: Buffer, methods: readonly string[]): number[] {
  const { messages } = parseMessages('response', received, { requestMethod: [...methods] });
  return messages.map((m) => m.status ?? 0).filter((status) => status >= 200);
}

/** requestsIn parses what one backend connection received: every request, and any bytes left over. */
function requestsIn(received: Buffer) {
  const { messages, error, consumed } = parseMessages('request', received);
  return { messages, error, rest: received.length - consumed };
}

/**
 * refusesSwitch runs `attack`: the first backend connection answers with
 * the attack's 101, later ones answer 200; the client sends its request,
 * waits for the final answer, then sends SMUGGLED on the same connection.
 */
async function refusesSwitch(attack: SwitchAttack): Promise<void> {
  const peers: RawPeer[] = [];
  const backend = await startRawBackend(async (peer) => {
    const first = peers.push(peer) === 1;
    await peer.waitFor('\r\n\r\n');
    await peer.write(first ? attack.answer : OK);
    await peer.clientEnded();
  });
  const proxy = await startProxy(backend.origin);
  if (attack.director !== undefined) {
    const join = proxy.proxy.director!;
    const change = attack.director;
    proxy.proxy.director = (out) => {
      join(out);
      change(out);
    };
  }
  const client = await rawClientOf(proxy);
  const method = attack.send.slice(0, attack.send.indexOf(' '));
  const methods = [method, 'GET'];
  await client.write(attack.send);
  await client.waitFor((got) => finalStatuses(got, methods).length >= 1, 3000);
  await client.write(SMUGGLED).catch(() => undefined); // the proxy may have closed
  await client
    .waitFor((got) => finalStatuses(got, methods).length >= 2, 2000)
    .catch(() => undefined); // closed after the 502: SMUGGLED was never read
  const statuses = finalStatuses(client.received(), methods);
  expect(statuses[0], 'the answer to the first request').toBe(502);
  expect(client.received().toString('latin1')).not.toContain(' 101 ');
  expect(proxy.logs.join('\n')).toMatch(
    /backend (switched protocols|answered 101|tried to switch)/,
  );

  const firstBackend = peers[0]!;
  expect(await closedWithin(firstBackend.socket, 2000), 'the switched connection closed').toBe(
    true,
  );
  const first = requestsIn(firstBackend.received());
  expect(first.messages.map((m) => m.url)).toHaveLength(1);
  expect(first.rest, 'bytes after the first request on its connection').toBe(0);
  for (const peer of peers) {
    const { messages, error, rest } = requestsIn(peer.received());
    expect(error).toBeNull();
    expect(rest).toBe(0);
    for (const m of messages.filter((m) => m.url === '/admin')) {
      const xff = m.headers.filter(([name]) => name.toLowerCase() === 'x-forwarded-for');
      expect(xff, 'a forwarded /admin carries the proxy-appended client address').toEqual([
        ['X-Forwarded-For', '10.0.0.1, 127.0.0.1'],
      ]);
    }
  }
  // Either the proxy read SMUGGLED as a request and forwarded it, or it
  // closed the client connection without reading it (after CONNECT).
  expect(statuses.slice(1)).toEqual(statuses.length > 1 ? [200] : []);
  client.destroy();
  await within(client.clientEnded(), 2000, 'the client connection closing');
}

describe('A 101 the request did not ask for never becomes a tunnel through the proxy', () => {
  for (const attack of ATTACKS) it(attack.name, () => refusesSwitch(attack));
});
