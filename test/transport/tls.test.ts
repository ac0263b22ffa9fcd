import { createServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { parseMessages, Request } from '../../src/index.js';
import { cert, key } from '../fixtures/tls/index.js';
import { rejection, useHarness, within } from './harness.js';

const h = useHarness();

describe('Transport over TLS', () => {
  it('reuses one TLS connection, trusting the test certificate through the ca option', async () => {
    const alpn: (string | false | null)[] = [];
    const server = createServer({ key, cert, ALPNProtocols: ['http/1.1'] }, (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => res.end(`${req.method} ${Buffer.concat(parts).toString()}`));
    });
    server.on('secureConnection', (socket: TLSSocket) => alpn.push(socket.alpnProtocol));
    const served = await h.track(server, 'https');
    const t = h.transport({ tls: { ca: cert } });
    for (const method of ['GET', 'PUT', 'GET']) {
      const body = method === 'PUT' ? 'secret' : null;
      const res = await t.roundTrip(new Request(method, `${served.url}/`, { body }));
      expect(await res.body!.text()).toBe(`${method} ${body ?? ''}`);
    }
    expect(alpn).toEqual(['http/1.1']);
  });

  it('fails with ERR_DIAL when the certificate is not trusted', async () => {
    const served = await h.track(
      createServer({ key, cert }, (_req, res) => res.end()),
      'https',
    );
    const t = h.transport();
    const err = await rejection(t.roundTrip(new Request('GET', `${served.url}/`)));
    expect(err).toMatchObject({ code: 'ERR_DIAL', cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
  });
});

describe('Transport and protocol switches', () => {
  it('hands over the socket of a 101 response with the bytes read past its head', async () => {
    const server = await h.raw(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhello',
      );
      await peer.waitFor('ping');
      await peer.write('pong');
    });
    const t = h.transport();
    const req = new Request('GET', `http://127.0.0.1:${server.port}/`, {
      header: { Connection: 'Upgrade', Upgrade: 'echo' },
    });
    const res = await t.roundTrip(req);
    expect(res.status).toBe(101);
    const { socket, head } = t.hijack(res);
    expect(head.toString()).toBe('hello');
    expect(() => t.hijack(res)).toThrow(expect.objectContaining({ code: 'ERR_NOT_UPGRADED' }));
    expect(socket.listenerCount('data')).toBe(0);
    socket.on('error', () => undefined);
    const pong = new Promise<string>((resolve) =>
      socket.once('data', (d: Buffer) => resolve(d.toString())),
    );
    socket.resume();
    socket.write('ping');
    expect(await within(pong)).toBe('pong');
    socket.destroy();
    expect(parseMessages('request', (await server.nextPeer()).received()).messages).toHaveLength(1);
  });

  it('refuses hijack for a response that did not switch protocols', async () => {
    const server = await h.raw(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    });
    const t = h.transport();
    const res = await t.roundTrip(new Request('GET', `http://127.0.0.1:${server.port}/`));
    expect(() => t.hijack(res)).toThrow(expect.objectContaining({ code: 'ERR_NOT_UPGRADED' }));
  });
});
