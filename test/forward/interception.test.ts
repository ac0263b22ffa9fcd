import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { ProxyAgent, request as undiciRequest } from 'undici';
import { WebSocket, WebSocketServer } from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../src/forward/mitm/index.js';
import { Request, Transport } from '../../src/index.js';
import { cert, key } from '../fixtures/tls/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { within } from '../helpers/waiting.js';
import {
  closedBy,
  connectLine,
  type ForwardServed,
  rawRequest,
  startForwardProxy,
  startOrigin,
  useForwardHarness,
} from './harness.js';

const track = useForwardHarness();
let ca: CertificateAuthority;
beforeAll(async () => {
  ca = await CertificateAuthority.create({ commonName: 'Interception Test CA' });
});

/** intercepting starts a ForwardProxy with `mitm`, its ReverseProxy trusting the test origin certificate. */
async function intercepting(options: { idleTimeout?: number } = {}): Promise<ForwardServed> {
  const served = track(await startForwardProxy({ mitm: { ca }, ...options }));
  const trusting = track(new Transport({ maxIdleConnsPerHost: 128, tls: { ca: cert } }));
  served.proxy.mitm!.proxy.transport = trusting;
  return served;
}

/** client is our Transport through the proxy, trusting only the interception CA. */
function client(proxy: ForwardServed): Transport {
  return track(new Transport({ proxy: proxy.url, tls: { ca: ca.certPEM } }));
}

/** tlsThrough opens a CONNECT tunnel to `target` and starts TLS in it, trusting the CA. */
async function tlsThrough(
  proxy: ForwardServed,
  target: string,
  servername?: string,
): Promise<TLSSocket> {
  const { socket } = await rawRequest(proxy.port, connectLine(target));
  socket.removeAllListeners('data');
  const host = target.slice(0, target.lastIndexOf(':'));
  const tls = tlsConnect({ socket, host, servername, ca: ca.certPEM });
  await within(once(tls, 'secureConnect'), 5000, 'the TLS handshake through the proxy');
  return tls;
}

/** readUntil collects what `socket` receives until `done` holds. */
async function readUntil(socket: TLSSocket, done: (text: string) => boolean): Promise<string> {
  let text = '';
  await within(
    new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (done(text)) resolve();
      });
    }),
    5000,
    'the responses',
  );
  return text;
}

describe('ForwardProxy mitm', () => {
  it('terminates TLS with a leaf from the CA and serves the requests with its ReverseProxy, kept alive', async () => {
    const seen: string[] = [];
    const origin = track(
      await startOrigin((req, res) => {
        seen.push(
          `${req.method} ${req.url} host=${req.headers.host} xff=${req.headers['x-forwarded-for']}`,
        );
        res.end(`hello ${req.url}`);
      }, true),
    );
    const proxy = await intercepting();
    const tunnels: string[] = [];
    proxy.proxy.onTunnel = (tunnel) =>
      void tunnels.push(`${tunnel.target.host}:${tunnel.target.port}`);
    proxy.proxy.mitm!.proxy.modifyResponse = (res) => {
      res.header.set('X-Intercepted', res.request?.url.scheme ?? '');
    };
    const t = client(proxy);
    for (const path of ['/a', '/b?q=1', '/c']) {
      const res = await t.roundTrip(new Request('GET', `${origin.url}${path}`));
      expect(res.header.get('X-Intercepted')).toBe('https');
      expect(await res.body!.text()).toBe(`hello ${path}`);
    }
    expect(tunnels).toEqual([`127.0.0.1:${origin.port}`]);
    const host = `127.0.0.1:${origin.port}`;
    expect(seen).toEqual([
      `GET /a host=${host} xff=undefined`,
      `GET /b?q=1 host=${host} xff=undefined`,
      `GET /c host=${host} xff=undefined`,
    ]);
  });

  it('gives rewrite the CONNECT target as an absolute https URL, whatever the request says', async () => {
    const origin = track(await startOrigin((req, res) => res.end(`${req.url}`), true));
    const proxy = await intercepting();
    const urls: string[] = [];
    proxy.proxy.mitm!.proxy.rewrite = (pr) => {
      urls.push(`${pr.in.url.scheme}://${pr.in.url.host}${pr.in.url.path}`);
      pr.out.url = { ...pr.out.url, path: `/rewritten${pr.out.url.path}` };
    };
    const tls = await tlsThrough(proxy, `127.0.0.1:${origin.port}`, 'elsewhere.test');
    tls.write('GET /x HTTP/1.1\r\nHost: elsewhere.test\r\n\r\n');
    const text = await readUntil(tls, (t) => t.endsWith('/rewritten/x'));
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(urls).toEqual([`https://127.0.0.1:${origin.port}/x`]);
    tls.destroy();
  });

  it('answers pipelined requests inside the tunnel in order', async () => {
    const origin = track(await startOrigin((req, res) => res.end(`<${req.url}>`), true));
    const proxy = await intercepting();
    const tls = await tlsThrough(proxy, `localhost:${origin.port}`);
    tls.write(
      'GET /1 HTTP/1.1\r\nHost: localhost\r\n\r\nGET /2 HTTP/1.1\r\nHost: localhost\r\n\r\nGET /3 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    const text = await readUntil(tls, (t) => t.includes('</3>'));
    expect([...text.matchAll(/<\/(\d)>/g)].map((m) => m[1])).toEqual(['1', '2', '3']);
    await closedBy(tls);
  });

  it('uses the CONNECT host for a ClientHello without SNI (an IP address: an IP SAN)', async () => {
    await expectNoLeaks(async () => {
      const origin = await startOrigin((_req, res) => res.end('no sni'), true);
      const proxy = await startForwardProxy({ mitm: { ca } });
      const trusting = new Transport({ tls: { ca: cert } });
      proxy.proxy.mitm!.proxy.transport = trusting;
      const tls = await tlsThrough(proxy, `127.0.0.1:${origin.port}`); // node sends no SNI for an IP
      const leaf = tls.getPeerX509Certificate()!;
      expect(leaf.subjectAltName).toBe('IP Address:127.0.0.1');
      expect(leaf.checkIssued(new X509Certificate(ca.certPEM))).toBe(true);
      tls.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(await readUntil(tls, (t) => t.endsWith('no sni'))).toContain('200 OK');
      await closedBy(tls);
      trusting.close();
      await proxy.close();
      await origin.close();
    });
  });

  it('serves plain HTTP inside a tunnel with the ReverseProxy too', async () => {
    const origin = track(await startOrigin((req, res) => res.end(`plain ${req.url}`)));
    const proxy = await intercepting();
    proxy.proxy.mitm!.proxy.modifyResponse = (res) => {
      res.header.set('X-Seen', res.request!.url.scheme);
    };
    const got = await rawRequest(
      proxy.port,
      `${connectLine(`127.0.0.1:${origin.port}`)}GET /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    await closedBy(got.socket);
    const text = got.rest.toString('latin1');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toContain('X-Seen: http\r\n');
    expect(text.endsWith('plain /p')).toBe(true);
  });

  it('tunnels as is when intercept returns false', async () => {
    const origin = track(await startOrigin((_req, res) => res.end('direct'), true));
    const proxy = await intercepting();
    const asked: string[] = [];
    proxy.proxy.mitm!.intercept = (target, req) => {
      asked.push(`${target.method} ${target.host}:${target.port} ${req.method}`);
      return false;
    };
    const t = track(new Transport({ proxy: proxy.url, tls: { ca: cert } })); // the origin's own certificate
    const res = await t.roundTrip(new Request('GET', `${origin.url}/`));
    expect(await res.body!.text()).toBe('direct');
    expect(asked).toEqual([`CONNECT 127.0.0.1:${origin.port} CONNECT`]);
  });

  it('answers 502 for an origin whose certificate fails verification, never passing it through', async () => {
    await expectNoLeaks(async () => {
      const origin = await startOrigin((_req, res) => res.end('untrusted'), true);
      const proxy = await startForwardProxy({ mitm: { ca } }); // Node's trust store only
      const t = new Transport({ proxy: proxy.url, tls: { ca: ca.certPEM } });
      const res = await t.roundTrip(new Request('GET', `${origin.url}/`));
      expect(res.status).toBe(502);
      expect(await res.body!.text()).not.toContain('untrusted');
      expect(proxy.logs.join('\n')).toMatch(/self.signed|DEPTH_ZERO/i);
      t.close();
      await proxy.close();
      await origin.close();
    });
  });

  it('accepts any origin certificate with rejectUnauthorized: false', async () => {
    const origin = track(await startOrigin((_req, res) => res.end('accepted'), true));
    const proxy = track(await startForwardProxy({ mitm: { ca, rejectUnauthorized: false } }));
    expect(proxy.proxy.mitm!.rejectUnauthorized).toBe(false);
    const res = await client(proxy).roundTrip(new Request('GET', `${origin.url}/`));
    expect(await res.body!.text()).toBe('accepted');
  });

  it('works for undici ProxyAgent trusting the CA', async () => {
    const origin = track(await startOrigin((req, res) => res.end(`undici ${req.url}`), true));
    const proxy = await intercepting();
    const agent = track(new ProxyAgent({ uri: proxy.url, requestTls: { ca: ca.certPEM } }));
    for (const path of ['/1', '/2']) {
      const res = await undiciRequest(`${origin.url}${path}`, { dispatcher: agent });
      expect(await res.body.text()).toBe(`undici ${path}`);
    }
  });

  it('relays a WebSocket inside an intercepted tunnel', async () => {
    const server = createHttpsServer({ key, cert });
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo ${String(data)}`)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    track({
      close: () =>
        new Promise((resolve) => {
          wss.close();
          server.closeAllConnections();
          server.close(resolve);
        }),
    });
    const { port } = server.address() as AddressInfo;
    const proxy = await intercepting();
    const agent = new HttpsProxyAgent(proxy.url, { ca: ca.certPEM });
    const ws = new WebSocket(`wss://localhost:${port}/socket`, { agent, ca: ca.certPEM });
    await within(once(ws, 'open'), 5000, 'the WebSocket to open');
    ws.send('ping');
    const [reply] = (await within(once(ws, 'message'), 5000, 'the echo')) as [Buffer];
    expect(String(reply)).toBe('echo ping');
    ws.close();
    await within(once(ws, 'close'), 5000, 'the close');
  });
});

describe('ForwardProxy mitm with bad input', () => {
  it('closes a tunnel whose client never sends the handshake (idle timeout)', async () => {
    await expectNoLeaks(async () => {
      const proxy = await intercepting({ idleTimeout: 200 });
      const got = await rawRequest(proxy.port, connectLine('example.test:443'));
      expect(got.head).toMatch(/^HTTP\/1\.1 200 /);
      await closedBy(got.socket, 3000);
      await proxy.close();
    });
  });

  it('cleans up after a client that hangs up mid-handshake', async () => {
    await expectNoLeaks(async () => {
      const proxy = await intercepting();
      const origin = await startOrigin((_req, res) => res.end(), true);
      for (const cut of [3, 60]) {
        const got = await rawRequest(proxy.port, connectLine(`127.0.0.1:${origin.port}`));
        // The first bytes of a real ClientHello, then the client is gone.
        const hello = await firstClientHello();
        got.socket.write(hello.subarray(0, cut));
        await new Promise((resolve) => setTimeout(resolve, 20));
        got.socket.destroy();
      }
      const tls = await tlsThrough(proxy, `127.0.0.1:${origin.port}`); // then one that finishes
      tls.end();
      await closedBy(tls);
      await proxy.close();
      await origin.close();
    });
  });

  it('answers a client that sends garbage after a TLS record header by closing, without a crash', async () => {
    await expectNoLeaks(async () => {
      const proxy = await intercepting({ idleTimeout: 500 });
      const got = await rawRequest(proxy.port, connectLine('example.test:443'));
      got.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]));
      await closedBy(got.socket, 3000);
      await proxy.close();
    });
  });
});

/** firstClientHello returns the bytes node:tls sends first as a client (a ClientHello record). */
async function firstClientHello(): Promise<Buffer> {
  const { createServer } = await import('node:net');
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const tls = tlsConnect({
    port: (server.address() as AddressInfo).port,
    host: '127.0.0.1',
    servername: 'x.test',
  });
  tls.on('error', () => undefined);
  const [socket] = (await accepted) as [import('node:net').Socket];
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  tls.destroy();
  socket.destroy();
  server.close();
  return chunk;
}
