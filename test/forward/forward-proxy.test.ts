/**
 * Absolute-form forwarding, authentication, allow and the proxy's own
 * handler, with curl and raw sockets as the clients.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { expectNoLeaks } from '../helpers/leaks.js';
import { within } from '../helpers/waiting.js';
import {
  closedBy,
  rawRequest,
  startForwardProxy,
  startOrigin,
  useForwardHarness,
} from './harness.js';

const run = promisify(execFile);
const track = useForwardHarness();

/** curl runs curl with `args` and returns its stdout (headers with -i). */
async function curl(...args: string[]): Promise<string> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '10', ...args]);
  return stdout;
}

describe('ForwardProxy absolute-form', () => {
  it('forwards with hop-by-hop and Proxy-* fields removed, X-Forwarded-For as sent, and Via', async () => {
    let seen: IncomingHttpHeaders = {};
    const origin = track(
      await startOrigin((req, res) => {
        seen = req.headers;
        res.setHeader('Proxy-Authenticate', 'Basic');
        res.end(`path ${req.url}`);
      }),
    );
    const fp = track(await startForwardProxy());
    const out = await curl(
      '-i',
      '-x',
      fp.url,
      `${origin.url}/a/b?c=%20d`,
      '-H',
      'Proxy-Authorization: Basic eDp5',
      '-H',
      'Proxy-Foo: secret',
      '-H',
      'Connection: X-Drop',
      '-H',
      'X-Drop: 1',
      '-H',
      'X-Forwarded-For: 10.0.0.1',
    );
    expect(out).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(out).toContain('\r\nVia: 1.1 httpwire\r\n');
    expect(out).not.toMatch(/Proxy-Authenticate/i);
    expect(out.endsWith('path /a/b?c=%20d')).toBe(true);
    expect(seen.host).toBe(`127.0.0.1:${origin.port}`);
    expect(seen['x-forwarded-for']).toBe('10.0.0.1');
    expect(seen.via).toBe('1.1 httpwire');
    for (const name of ['proxy-authorization', 'proxy-foo', 'proxy-connection', 'x-drop']) {
      expect(seen[name]).toBeUndefined();
    }
  });

  it('adds no X-Forwarded-For and no Via when via is null', async () => {
    let seen: IncomingHttpHeaders = {};
    const origin = track(
      await startOrigin((req, res) => {
        seen = req.headers;
        res.end('ok');
      }),
    );
    const fp = track(await startForwardProxy({ via: null }));
    await curl('-x', fp.url, `${origin.url}/`);
    expect(seen['x-forwarded-for']).toBeUndefined();
    expect(seen.via).toBeUndefined();
  });

  it('uses the target of the request line, not its Host line (RFC 9112 §3.2.2)', async () => {
    let host: string | undefined;
    const origin = track(
      await startOrigin((req, res) => {
        host = req.headers.host;
        res.end('ok');
      }),
    );
    const fp = track(await startForwardProxy());
    const got = await rawRequest(
      fp.port,
      `GET ${origin.url}/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`,
    );
    expect(got.head).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(host).toBe(`127.0.0.1:${origin.port}`);
    got.socket.destroy();
  });

  it('keeps many idle origin connections: a second burst of 40 reuses the first 40', async () => {
    const CLIENTS = 40;
    let waiting: (() => void)[] = [];
    const origin = track(
      await startOrigin((_req, res) => {
        // Hold every answer until the whole burst arrived: 40 requests in flight at once.
        waiting.push(() => res.end('ok'));
        if (waiting.length < CLIENTS) return;
        for (const answer of waiting) answer();
        waiting = [];
      }),
    );
    const fp = track(await startForwardProxy());
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    const get = () =>
      new Promise<string>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: fp.port, path: `${origin.url}/`, agent },
          (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (s: string) => (body += s));
            res.on('end', () => resolve(body));
          },
        );
        req.on('error', reject).end();
      });
    const burst = () => within(Promise.all(Array.from({ length: CLIENTS }, get)), 5000);
    try {
      expect(await burst()).toEqual(Array(CLIENTS).fill('ok'));
      expect(await burst()).toEqual(Array(CLIENTS).fill('ok'));
      expect(origin.connections).toBe(CLIENTS); // Go's default of 2 idle per host would have dialed 38 more
    } finally {
      agent.destroy();
    }
  });

  it('answers 502 with the reason when the origin refuses', async () => {
    await expectNoLeaks(async () => {
      const origin = await startOrigin((_req, res) => res.end());
      const url = origin.url;
      await origin.close();
      const fp = await startForwardProxy();
      const got = await rawRequest(fp.port, `GET ${url}/ HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(got.head).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
      await closedBy(got.socket);
      expect(got.rest.toString()).toContain('connection refused');
      await fp.close();
    });
  });

  it('answers 400 to a scheme it cannot forward', async () => {
    const fp = track(await startForwardProxy());
    const got = await rawRequest(
      fp.port,
      'GET ftp://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n',
    );
    expect(got.head).toMatch(/^HTTP\/1\.1 400 /);
    got.socket.destroy();
  });
});

describe('ForwardProxy authenticate', () => {
  const authenticate = (c: { user: string; password: string } | null) =>
    c !== null && c.user === 'alice' && c.password === 'p:w';

  it('answers 407 with Proxy-Authenticate without credentials, for CONNECT and absolute-form', async () => {
    const origin = track(await startOrigin((_req, res) => res.end('ok')));
    const fp = track(await startForwardProxy({ authenticate }));
    for (const request of [
      `GET ${origin.url}/ HTTP/1.1\r\nHost: x\r\n\r\n`,
      `CONNECT 127.0.0.1:${origin.port} HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic ${Buffer.from('alice:wrong').toString('base64')}\r\n\r\n`,
    ]) {
      const got = await rawRequest(fp.port, request);
      expect(got.head).toMatch(/^HTTP\/1\.1 407 Proxy Authentication Required\r\n/);
      expect(got.head).toContain('\r\nProxy-Authenticate: Basic realm="httpwire"\r\n');
      got.socket.destroy();
    }
  });

  it('lets curl --proxy-user through, over http and through a tunnel', async () => {
    const origin = track(await startOrigin((_req, res) => res.end('hello')));
    const fp = track(await startForwardProxy({ authenticate }));
    expect(await curl('-x', fp.url, '--proxy-user', 'alice:p:w', `${origin.url}/`)).toBe('hello');
    expect(await curl('-p', '-x', fp.url, '--proxy-user', 'alice:p:w', `${origin.url}/`)).toBe(
      'hello',
    );
  });
});

describe('ForwardProxy allow', () => {
  it('passes host, port and method, and answers 403 to absolute-form requests it refuses', async () => {
    const origin = track(await startOrigin((_req, res) => res.end('ok')));
    const seen: unknown[] = [];
    const fp = track(
      await startForwardProxy({
        allow: (target) => {
          seen.push(target);
          return target.method !== 'DELETE';
        },
      }),
    );
    expect(await curl('-x', fp.url, `${origin.url}/`)).toBe('ok');
    const refused = await curl('-i', '-X', 'DELETE', '-x', fp.url, `${origin.url}/`);
    expect(refused).toMatch(/^HTTP\/1\.1 403 Forbidden/);
    expect(seen).toEqual([
      { host: '127.0.0.1', port: origin.port, method: 'GET' },
      { host: '127.0.0.1', port: origin.port, method: 'DELETE' },
    ]);
  });
});

describe('ForwardProxy handler', () => {
  it('answers origin-form requests with 400, or with handler when given', async () => {
    const bare = track(await startForwardProxy());
    const got = await rawRequest(bare.port, 'GET /status HTTP/1.1\r\nHost: proxy\r\n\r\n');
    expect(got.head).toMatch(/^HTTP\/1\.1 400 /);
    got.socket.destroy();
    const served = track(
      await startForwardProxy({
        handler: (rw, req) => {
          void rw.write(`proxy page ${req.url.path}`);
        },
      }),
    );
    expect(await curl(`${served.url}/status`)).toBe('proxy page /status');
  });
});
