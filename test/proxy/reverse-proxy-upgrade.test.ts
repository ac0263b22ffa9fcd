/**
 * ReverseProxy protocol switches (Go's handleUpgradeResponse): the 101
 * head with the frontend's fields merged in, the upgrade type check, the
 * two-way copy with half-close, cancellation, and h2c forwarded as a plain
 * request. Ported from Go's reverseproxy_test.go; the Go origin is named in
 * each test.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { newSingleHostReverseProxy } from '../../src/proxy/reverse-proxy.js';
import { deferred, firstHead, text, useProxyHarness, within } from './harness.js';

const h = useProxyHarness();

/** A single-host proxy to `url` logging to its `logs`. */
function singleHost(url: string) {
  const logged = h.proxy({ director: () => undefined });
  logged.proxy.director = newSingleHostReverseProxy(url).director;
  return logged;
}

const UPGRADE_REQUEST =
  'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
const SWITCHED =
  'HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: WebSocket\r\n\r\n';

/** nextLine resolves with the next `\n`-terminated line read from `socket`. */
function nextLine(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (chunk: Buffer) => {
      got += chunk.toString('latin1');
      const end = got.indexOf('\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(got.slice(0, end));
    };
    const onClose = () => reject(new Error(`closed before a line; got ${JSON.stringify(got)}`));
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

describe('ReverseProxy upgrades', () => {
  it('switches protocols and copies both ways, with modifyResponse and the frontend fields in the 101 (TestReverseProxyWebSocket)', async () => {
    const backendErrors: unknown[] = [];
    const backend = await h.rawBackend(async (peer) => {
      const head = firstHead(await peer.waitFor('\r\n\r\n'));
      if (!/\r\nUpgrade: websocket\r\n/.test(head) || !/\r\nConnection: Upgrade\r\n/.test(head)) {
        backendErrors.push(head);
      }
      await peer.write(SWITCHED);
      await peer.waitFor('Hello\n');
      await peer.write('backend got "Hello"\n');
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    proxy.modifyResponse = (res) => {
      res.header.add('X-Modified', 'true');
    };
    const modifiedSeen = deferred<string | null>();
    const frontend = await h.frontend(async (rw, req) => {
      rw.header().set('X-Header', 'X-Value');
      await proxy.serveHTTP(rw, req);
      modifiedSeen.resolve(rw.header().get('X-Modified'));
    });
    const client = await h.rawClient(frontend);
    await client.write(UPGRADE_REQUEST);
    await client.waitFor('\r\n\r\n');
    expect(text(client.received())).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nX-Header: X-Value\r\nConnection: upgrade\r\n' +
        'Upgrade: WebSocket\r\nX-Modified: true\r\n\r\n',
    );
    await client.write('Hello\n');
    await client.waitFor('backend got "Hello"\n');
    client.destroy();
    expect(await within(modifiedSeen.promise)).toBe('true');
    expect(backendErrors).toEqual([]);
  });

  it('closes the tunnel when the request is cancelled (go#35559 / TestReverseProxyWebSocketCancellation)', async () => {
    const nth = (i: number) => `backend response #${i}\n`;
    const terminal = 'final message';
    const backendClosed = deferred();
    const backend = await h.rawBackend(async (peer) => {
      peer.socket.on('close', () => backendClosed.resolve());
      await peer.waitFor('\r\n\r\n');
      await peer.write(SWITCHED);
      await peer.waitFor('Hello\n');
      await peer.write(nth(0));
      const cancelled = await Promise.race([
        backendClosed.promise.then(() => true),
        new Promise((resolve) => setTimeout(resolve, 2000, false)),
      ]);
      if (!cancelled) await peer.write(terminal);
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    const cancel = new AbortController();
    const frontend = await h.frontend(async (rw, req) => {
      rw.header().set('X-Header', 'X-Value');
      req.signal = AbortSignal.any([req.signal!, cancel.signal]);
      await proxy.serveHTTP(rw, req);
    });
    const client = await h.rawClient(frontend);
    await client.write(UPGRADE_REQUEST);
    await client.waitFor('\r\n\r\n');
    expect(text(client.received())).toMatch(/^HTTP\/1\.1 101 [^]*X-Header: X-Value\r\n/);
    await client.write('Hello\n');
    await client.waitFor(nth(0));
    cancel.abort();
    await within(client.clientEnded());
    await within(backendClosed.promise);
    expect(client.received().toString('latin1')).not.toContain(terminal);
  });

  it('keeps copying one way after the other side half-closes (go#35892 / TestReverseProxyWebSocketHalfTCP)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      peer.socket.allowHalfOpen = true; // it writes after reading the proxy's FIN
      await peer.waitFor('\r\n\r\n');
      await peer.write(SWITCHED);
      await peer.write('hello');
      await peer.waitFor('world');
      await peer.clientEnded(); // the client's FIN, relayed by the proxy
      await peer.end('goodbye');
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(UPGRADE_REQUEST);
    await client.waitFor('\r\n\r\nhello');
    await client.write('world');
    await client.end(); // half-close: the proxy must still relay what the backend sends
    await within(client.clientEnded());
    const received = client.received().toString('latin1');
    expect(received.slice(received.indexOf('\r\n\r\n') + 4)).toBe('hellogoodbye');
    await within(backend.scripts());
  });

  it('closes the backend side of the tunnel when the client disconnects (switchProtocolCopier)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(SWITCHED);
      await peer.clientEnded();
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(UPGRADE_REQUEST);
    await client.waitFor('\r\n\r\n');
    client.destroy();
    await within(backend.scripts());
  });

  it('answers 502 and closes the backend when it switches to another protocol than requested (handleUpgradeResponse)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h3\r\n\r\n',
      );
      await peer.clientEnded();
    });
    const { proxy, logs } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(UPGRADE_REQUEST);
    await client.waitFor('\r\n\r\n');
    expect(client.received().toString('latin1')).toMatch(/^HTTP\/1\.1 502 /);
    expect(logs.join('\n')).toContain('backend tried to switch protocol "h3" when "websocket"');
    await within(backend.scripts()); // the proxy closed its backend connection
  });

  it('answers 502 when the backend switches to a protocol name that is not printable ASCII (handleUpgradeResponse ascii.IsPrint)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websock\xe9t\r\n\r\n',
      );
      await peer.clientEnded();
    });
    const { proxy, logs } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(UPGRADE_REQUEST);
    await client.waitFor('\r\n\r\n');
    expect(client.received().toString('latin1')).toMatch(/^HTTP\/1\.1 502 /);
    expect(logs.join('\n')).toContain('backend tried to switch to invalid protocol');
    await within(backend.scripts());
  });

  it('answers 502 and closes the backend when modifyResponse fails on a 101 (ServeHTTP modifyResponse before handleUpgradeResponse)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write(SWITCHED);
      await peer.clientEnded();
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    proxy.modifyResponse = () => {
      throw new Error('no upgrades today');
    };
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(UPGRADE_REQUEST);
    await client.waitFor('\r\n\r\n');
    expect(client.received().toString('latin1')).toMatch(/^HTTP\/1\.1 502 /);
    await within(backend.scripts());
  });

  it('answers 502 without asking the backend when the client asks for a protocol name that is not printable ASCII (ServeHTTP)', async () => {
    const backend = await h.nodeBackend((_req, res) => res.end('backend'));
    const { proxy, logs } = singleHost(backend.url);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: w\xe9\r\n\r\n',
    );
    await client.waitFor('\r\n\r\n');
    expect(client.received().toString('latin1')).toMatch(/^HTTP\/1\.1 502 /);
    expect(logs.join('\n')).toContain('client tried to switch to invalid protocol');
    expect(backend.sockets).toHaveLength(0);
  });

  it('forwards an h2c upgrade request as a plain request (httpwire refuses to tunnel h2c; no Go test)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain');
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n' +
        'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nX-Kept: 1\r\n\r\n',
    );
    await client.waitFor('plain');
    expect(client.received().toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
    const sent = firstHead((await backend.nextPeer()).received());
    expect(sent).not.toMatch(/upgrade|http2-settings|connection/i);
    expect(sent).toContain('\r\nX-Kept: 1\r\n');
  });

  it('reads the upgrade after the director, so a director can drop it (Go ServeHTTP order)', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain');
    });
    const { proxy } = singleHost(`http://127.0.0.1:${backend.port}`);
    const join = proxy.director!;
    proxy.director = (out) => {
      join(out);
      out.header.delete('Upgrade');
    };
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(UPGRADE_REQUEST);
    await client.waitFor('plain');
    expect(client.received().toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
    expect(firstHead((await backend.nextPeer()).received())).not.toMatch(/upgrade/i);
  });

  it('relays an upgrade to a node:http origin hijacking the connection (TestReverseProxyWebSocket)', async () => {
    const backend = await h.nodeBackend((_req, res) =>
      res.writeHead(400).end('unexpected request'),
    );
    const upgrades: string[] = [];
    backend.server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
      upgrades.push(String(req.headers.upgrade));
      socket.write(SWITCHED);
      nextLine(socket).then(
        (line) => socket.end(`backend got ${JSON.stringify(line)}\n`),
        () => socket.destroy(),
      );
    });
    const { proxy } = singleHost(backend.url);
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write(UPGRADE_REQUEST);
    await client.waitFor('\r\n\r\n');
    expect(client.received().toString('latin1')).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    await client.write('Hello\n');
    await client.waitFor('backend got "Hello"\n');
    await within(client.clientEnded());
    expect(upgrades).toEqual(['websocket']);
  });
});
