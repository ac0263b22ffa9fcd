/**
 * Transport and 101 Switching Protocols (issue 11 §1): a 101 is a switch
 * only when the request asked for that upgrade and the 101 confirms it
 * (Go's isProtocolSwitchResponse plus ReverseProxy's type check). Any other
 * 101 rejects the round trip with ERR_UNEXPECTED_SWITCH and closes the
 * connection: it never goes back to the pool, and its socket is nobody's.
 */
import { describe, expect, it } from 'vitest';
import { Request } from '../../src/index.js';
import { parseMessages } from '../../src/parser/index.js';
import { ok, rejection, useHarness, within } from './harness.js';

const h = useHarness();

const WEBSOCKET = { Connection: 'Upgrade', Upgrade: 'websocket' };
const BARE = 'HTTP/1.1 101 Switching Protocols\r\n\r\n';
const WEBSOCKET_101 =
  'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';

/** Case: a request (method and header) and the 101 the server answers it with. */
interface Case {
  name: string;
  method: string;
  header?: Record<string, string>;
  answer: string;
}

const REFUSED: Case[] = [
  { name: 'a bare 101 to a plain GET', method: 'GET', answer: BARE },
  { name: 'a websocket 101 to a plain GET', method: 'GET', answer: WEBSOCKET_101 },
  { name: 'a bare 101 to HEAD', method: 'HEAD', answer: BARE },
  {
    name: 'a websocket 101 to CONNECT',
    method: 'CONNECT',
    header: WEBSOCKET,
    answer: WEBSOCKET_101,
  },
  { name: 'a bare 101 to a websocket upgrade', method: 'GET', header: WEBSOCKET, answer: BARE },
  {
    name: 'a 101 with an empty Upgrade',
    method: 'GET',
    header: WEBSOCKET,
    answer: 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade:\r\n\r\n',
  },
  {
    name: 'a 101 whose Connection does not list upgrade',
    method: 'GET',
    header: WEBSOCKET,
    answer: 'HTTP/1.1 101 Switching Protocols\r\nConnection: close\r\nUpgrade: websocket\r\n\r\n',
  },
  {
    name: 'a 101 to another protocol',
    method: 'GET',
    header: WEBSOCKET,
    answer: 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n',
  },
  {
    name: 'an Upgrade without Connection: upgrade in the request',
    method: 'GET',
    header: { Upgrade: 'websocket' },
    answer: WEBSOCKET_101,
  },
  {
    name: 'a bare 101 after a 102',
    method: 'GET',
    answer: `HTTP/1.1 102 Processing\r\n\r\n${BARE}`,
  },
];

describe('Transport and a 101 the request did not ask for', () => {
  for (const c of REFUSED) {
    it(`rejects ${c.name} with ERR_UNEXPECTED_SWITCH and closes the connection`, async () => {
      let accepted = 0;
      const server = await h.raw(async (peer) => {
        await peer.waitFor('\r\n\r\n');
        await peer.write(
          accepted++ === 0 ? `${c.answer}GET /smuggled HTTP/1.1\r\n\r\n` : ok('next'),
        );
      });
      const t = h.transport();
      const url = `http://127.0.0.1:${server.port}/`;
      const req = new Request(c.method, url, { header: c.header });
      const err = await rejection(t.roundTrip(req));
      expect(err).toMatchObject({ name: 'ProtocolError', code: 'ERR_UNEXPECTED_SWITCH' });
      const first = await server.nextPeer();
      await within(first.clientEnded(), 2000, 'the transport closing the switched connection');
      expect(parseMessages('request', first.received()).messages).toHaveLength(1);
      // The next round trip dials again: the connection never went back to the pool.
      const res = await t.roundTrip(new Request('GET', url));
      expect(await res.body!.text()).toBe('next');
      expect(accepted).toBe(2);
    });
  }

  it('resolves with a 101 that confirms the requested protocol in another case, and hands over its socket', async () => {
    const server = await h.raw(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: keep-alive, upgrade\r\nUpgrade: WebSocket\r\n\r\nframe',
      );
    });
    const t = h.transport();
    const res = await t.roundTrip(
      new Request('GET', `http://127.0.0.1:${server.port}/`, { header: WEBSOCKET }),
    );
    expect(res.status).toBe(101);
    const { socket, head } = t.hijack(res);
    expect(head.toString()).toBe('frame');
    socket.destroy();
  });
});
