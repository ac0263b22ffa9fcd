/**
 * onTunnel: sniffing the first bytes without losing them, reading the SNI
 * name of a real TLS client, owning a tunnel, and plain HTTP inside a
 * tunnel driven with newServerConn.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { newServerConn } from '../../src/conn/server-conn.js';
import { Response } from '../../src/message/response.js';
import type { Tunnel, TunnelKind } from '../../src/forward/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { connectTo } from '../helpers/raw-peer.js';
import { deferred, within } from '../helpers/waiting.js';
import {
  closedBy,
  connectLine,
  rawRequest,
  restUntil,
  startForwardProxy,
  startOrigin,
  useForwardHarness,
} from './harness.js';

const track = useForwardHarness();
const run = promisify(execFile);
const CA_FILE = new URL('../fixtures/tls/cert.pem', import.meta.url).pathname;

describe('ForwardProxy onTunnel', () => {
  it('sniffs tls, then copies the peeked bytes to the target', async () => {
    const origin = track(await startOrigin((_req, res) => res.end('over tls'), true));
    const kinds: TunnelKind[] = [];
    const names: (string | null)[] = [];
    const fp = track(
      await startForwardProxy({
        onTunnel: (tunnel) => {
          void Promise.all([tunnel.sniff(), tunnel.clientHello()]).then(([kind, hello]) => {
            kinds.push(kind);
            names.push(hello?.serverName ?? null);
          });
        },
      }),
    );
    const { stdout } = await run('curl', [
      '-sS',
      '--max-time',
      '10',
      '-x',
      fp.url,
      '--cacert',
      CA_FILE,
      `https://localhost:${origin.port}/`,
    ]);
    expect(stdout).toBe('over tls');
    expect(kinds).toEqual(['tls']);
    expect(names).toEqual(['localhost']);
  });

  it('sniffs http and other', async () => {
    const kinds: TunnelKind[] = [];
    const fp = track(
      await startForwardProxy({
        onTunnel: async (tunnel) => {
          kinds.push(await tunnel.sniff());
          tunnel.client.socket.destroy();
        },
      }),
    );
    for (const first of ['GET / HTTP/1.1\r\n', 'SSH-2.0-OpenSSH\r\n']) {
      const got = await rawRequest(fp.port, connectLine('example.com:80') + first);
      await closedBy(got.socket);
    }
    expect(kinds).toEqual(['http', 'other']);
  });

  it('lets a hook that returns a promise serve HTTP inside the tunnel with newServerConn', async () => {
    const dialed: string[] = [];
    const fp = track(
      await startForwardProxy({
        dial: (host) => {
          dialed.push(host);
          return Promise.reject(new Error('the hook owns the tunnel'));
        },
        onTunnel: async (tunnel: Tunnel) => {
          if ((await tunnel.sniff()) !== 'http') return tunnel.client.socket.destroy();
          const conn = newServerConn(tunnel.client.socket, tunnel.client.head);
          for (;;) {
            const req = await conn.read().catch(() => null);
            if (req === null) break;
            const body = `inside ${tunnel.target.host} ${req.url.path}`;
            await conn.write(req, new Response(200, { body }));
          }
          conn.close();
        },
      }),
    );
    const got = await rawRequest(
      fp.port,
      connectLine('inner.example:80') +
        'GET /one HTTP/1.1\r\nHost: inner.example\r\n\r\n' +
        'GET /two HTTP/1.1\r\nHost: inner.example\r\nConnection: close\r\n\r\n',
    );
    await closedBy(got.socket);
    const text = got.rest.toString('latin1');
    expect(text).toContain('inside inner.example /one');
    expect(text).toContain('inside inner.example /two');
    expect(dialed).toEqual([]);
  });

  it('closes the tunnel when the hook throws, and logs it', async () => {
    await expectNoLeaks(async () => {
      const fp = await startForwardProxy({
        onTunnel: () => {
          throw new Error('hook failed');
        },
      });
      const got = await rawRequest(fp.port, connectLine('example.com:443'));
      await closedBy(got.socket);
      expect(fp.logs.join('\n')).toContain('hook failed');
      await fp.close();
    });
  });

  it('rejects sniff with ERR_TUNNEL_IDLE when the client sends nothing, and closes it', async () => {
    await expectNoLeaks(async () => {
      const failure = deferred<unknown>();
      const fp = await startForwardProxy({
        idleTimeout: 100,
        onTunnel: async (tunnel) => {
          await tunnel.sniff().then(() => failure.resolve(null), failure.resolve);
        },
      });
      const client = await connectTo(fp.port);
      client.resume();
      client.write(connectLine('example.com:443'));
      const err = (await within(failure.promise)) as { code?: string };
      expect(err?.code).toBe('ERR_TUNNEL_IDLE');
      await closedBy(client);
      await fp.close();
    });
  });

  it('closes the tunnel when the default dial fails after the 200', async () => {
    await expectNoLeaks(async () => {
      const origin = await startOrigin(() => undefined);
      const url = origin.url;
      await origin.close();
      const fp = await startForwardProxy({ onTunnel: () => undefined });
      const got = await rawRequest(fp.port, connectLine(url.slice('http://'.length)) + 'x');
      expect(got.head).toBe('HTTP/1.1 200 Connection established\r\n\r\n');
      await closedBy(got.socket);
      expect(fp.logs.join('\n')).toContain('connection refused');
      await fp.close();
    });
  });

  it('copies what a sniff peeked when the hook does not own the tunnel', async () => {
    const origin = track(await startOrigin((req, res) => res.end(`plain ${req.url}`)));
    const fp = track(await startForwardProxy({ onTunnel: (tunnel) => void tunnel.sniff() }));
    const got = await rawRequest(
      fp.port,
      connectLine(`127.0.0.1:${origin.port}`) +
        'GET /peeked HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    await restUntil(got, (rest) => rest.toString().endsWith('plain /peeked'));
    got.socket.destroy();
  });
});
