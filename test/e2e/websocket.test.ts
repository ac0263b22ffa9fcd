import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import {
  cleanup,
  closedWithin,
  deferred,
  onCleanup,
  startNodeBackend,
  startProxy,
  within,
} from './e2e-harness.js';

afterEach(cleanup);

/** Chat: a ws client connected through the proxy to a ws server on a node:http backend. */
interface Chat {
  client: WebSocket;
  /** The backend's end of the same WebSocket. */
  server: WebSocket;
  /** What the backend saw in the upgrade request. */
  upgradeHeaders: Record<string, string | string[] | undefined>;
  backendSockets: Socket[];
  proxyInbound: Socket[];
}

async function chatThroughProxy(): Promise<Chat> {
  const backend = await startNodeBackend((_req, res) => res.end('not a websocket\n'));
  const wss = new WebSocketServer({ server: backend.server, maxPayload: 4 << 20 });
  onCleanup(() => {
    for (const ws of wss.clients) ws.terminate();
    return new Promise((resolve) => wss.close(resolve)); // ws 8: resolves once its clients are gone
  });
  const accepted = deferred<{
    server: WebSocket;
    upgradeHeaders: Chat['upgradeHeaders'];
  }>();
  wss.on('connection', (server, req) => accepted.resolve({ server, upgradeHeaders: req.headers }));
  const proxy = await startProxy(backend.origin);
  const client = new WebSocket(`ws://127.0.0.1:${proxy.port}/chat?room=1`, {
    maxPayload: 4 << 20,
  });
  onCleanup(() => client.terminate());
  await within(once(client, 'open'), 2000, 'client open through the proxy');
  const { server, upgradeHeaders } = await within(accepted.promise, 2000, 'backend connection');
  return {
    client,
    server,
    upgradeHeaders,
    backendSockets: backend.sockets,
    proxyInbound: proxy.inbound,
  };
}

function nextMessage(ws: WebSocket): Promise<{ data: RawData; isBinary: boolean }> {
  return within(
    once(ws, 'message').then(([data, isBinary]) => ({
      data: data as RawData,
      isBinary: isBinary as boolean,
    })),
    3000,
    'a message',
  );
}

describe('WebSockets through the ReverseProxy (ws on both sides)', () => {
  it('upgrades through the proxy with Upgrade and Connection restored and X-Forwarded-For added', async () => {
    const { upgradeHeaders } = await chatThroughProxy();
    expect(upgradeHeaders.upgrade).toBe('websocket');
    expect(upgradeHeaders.connection).toBe('Upgrade');
    expect(upgradeHeaders['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('carries text messages both ways', async () => {
    const { client, server } = await chatThroughProxy();
    const atServer = nextMessage(server);
    client.send('hello from the client ✓');
    expect(await atServer).toEqual({
      data: Buffer.from('hello from the client ✓'),
      isBinary: false,
    });
    const atClient = nextMessage(client);
    server.send('hello from the backend');
    expect(await atClient).toEqual({
      data: Buffer.from('hello from the backend'),
      isBinary: false,
    });
  });

  it('carries binary messages both ways, every byte value intact', async () => {
    const { client, server } = await chatThroughProxy();
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const atServer = nextMessage(server);
    client.send(all);
    expect(await atServer).toEqual({ data: all, isBinary: true });
    const atClient = nextMessage(client);
    const reversed = Buffer.from(all).reverse();
    server.send(reversed);
    expect(await atClient).toEqual({ data: reversed, isBinary: true });
  });

  it('answers pings with pongs carrying the same payload, in both directions', async () => {
    const { client, server } = await chatThroughProxy();
    const clientPong = within(once(client, 'pong'), 2000, 'pong at the client');
    client.ping('from client');
    expect(String((await clientPong)[0])).toBe('from client');
    const serverPong = within(once(server, 'pong'), 2000, 'pong at the backend');
    server.ping('from backend');
    expect(String((await serverPong)[0])).toBe('from backend');
  });

  it('moves a 1 MiB message each way unchanged', async () => {
    const { client, server } = await chatThroughProxy();
    const up = randomBytes(1 << 20);
    const down = randomBytes(1 << 20);
    const atServer = nextMessage(server);
    const atClient = nextMessage(client);
    client.send(up);
    server.send(down);
    const [received, sent] = await Promise.all([atServer, atClient]);
    expect(Buffer.compare(received.data as Buffer, up)).toBe(0);
    expect(Buffer.compare(sent.data as Buffer, down)).toBe(0);
  });

  it('passes a close code and reason from the client to the backend, then closes every socket', async () => {
    const { client, server, backendSockets, proxyInbound } = await chatThroughProxy();
    const serverClosed = within(once(server, 'close'), 2000, 'close at the backend');
    const clientClosed = within(once(client, 'close'), 2000, 'close at the client');
    client.close(4001, 'bye from the client');
    const [code, reason] = await serverClosed;
    expect([code, String(reason)]).toEqual([4001, 'bye from the client']);
    const [echoed] = await clientClosed;
    expect(echoed).toBe(4001);
    expect(await closedWithin(backendSockets[0]!, 1000)).toBe(true);
    expect(await closedWithin(proxyInbound[0]!, 1000)).toBe(true);
  });

  it('passes a close code and reason from the backend to the client, then closes every socket', async () => {
    const { client, server, backendSockets, proxyInbound } = await chatThroughProxy();
    const clientClosed = within(once(client, 'close'), 2000, 'close at the client');
    const serverClosed = within(once(server, 'close'), 2000, 'close at the backend');
    server.close(4002, 'bye from the backend');
    const [code, reason] = await clientClosed;
    expect([code, String(reason)]).toEqual([4002, 'bye from the backend']);
    expect((await serverClosed)[0]).toBe(4002);
    expect(await closedWithin(backendSockets[0]!, 1000)).toBe(true);
    expect(await closedWithin(proxyInbound[0]!, 1000)).toBe(true);
  });

  it('closes the backend connection when the client vanishes without a close frame', async () => {
    const { client, server, backendSockets } = await chatThroughProxy();
    const serverClosed = within(once(server, 'close'), 2000, 'close at the backend');
    client.terminate();
    expect((await serverClosed)[0]).toBe(1006);
    expect(await closedWithin(backendSockets[0]!, 1000)).toBe(true);
  });

  it('passes a backend refusal of the upgrade to the client as an ordinary response', async () => {
    const backend = await startNodeBackend((_req, res) => res.end('not a websocket\n'));
    backend.server.on('upgrade', (_req, socket: Socket) => {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 7\r\nConnection: close\r\n\r\nno chat');
    });
    const proxy = await startProxy(backend.origin);
    const client = new WebSocket(`ws://127.0.0.1:${proxy.port}/chat`);
    client.on('error', () => undefined); // terminate() before open reports one
    onCleanup(() => client.terminate());
    const [, res] = await within(once(client, 'unexpected-response'), 2000, 'the refusal');
    const refusal = res as IncomingMessage;
    let body = '';
    for await (const chunk of refusal) body += String(chunk);
    expect([refusal.statusCode, body]).toEqual([403, 'no chat']);
  });
});
