/**
 * Real clients through the ForwardProxy: curl (http and https targets, the
 * https origin trusting the test certificate), undici's ProxyAgent,
 * https-proxy-agent with node:https, ws through a tunnel, 32 MiB each way
 * checksummed, and two httpwire proxies chained by `dial`.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { ProxyAgent, request as undiciRequest } from 'undici';
import { WebSocket, WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { newClientConn } from '../../src/conn/client-conn.js';
import { dialTCP, type Dialer } from '../../src/forward/index.js';
import { Request } from '../../src/message/request.js';
import { cert } from '../fixtures/tls/index.js';
import { settles, within } from '../helpers/waiting.js';
import { startForwardProxy, startOrigin, useForwardHarness } from './harness.js';

const run = promisify(execFile);
const track = useForwardHarness();
const CA_FILE = new URL('../fixtures/tls/cert.pem', import.meta.url).pathname;
const MiB = 1 << 20;

async function curl(...args: string[]): Promise<string> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '20', ...args], {
    maxBuffer: 64 * MiB,
    encoding: 'latin1',
  });
  return stdout;
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * chainThrough returns a Dialer that reaches every target through the
 * forward proxy at `proxyPort` with CONNECT (what the docs show).
 */
function chainThrough(proxyPort: number): Dialer {
  return async (host, port, { signal }) => {
    const socket = await dialTCP('127.0.0.1', proxyPort, { signal });
    const conn = newClientConn(socket);
    const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const res = await conn.do(
      new Request('CONNECT', { scheme: '', host: authority, path: '', query: '' }),
    );
    if (res.status !== 200) {
      socket.destroy();
      throw new Error(`upstream proxy answered ${res.status} to CONNECT ${authority}`);
    }
    const tunnel = conn.hijack();
    if (tunnel.head.length > 0) tunnel.socket.unshift(tunnel.head);
    return tunnel.socket;
  };
}

describe('ForwardProxy with real clients', () => {
  it('serves curl -x for an http target and, through a tunnel, an https one', async () => {
    const plain = track(await startOrigin((req, res) => res.end(`plain ${req.url}`)));
    const secure = track(await startOrigin((req, res) => res.end(`secure ${req.url}`), true));
    const fp = track(await startForwardProxy());
    expect(await curl('-x', fp.url, `${plain.url}/p`)).toBe('plain /p');
    expect(
      await curl('-x', fp.url, '--cacert', CA_FILE, `https://localhost:${secure.port}/s`),
    ).toBe('secure /s');
    expect(await settles(() => fp.ends.length === 1)).toBe(true);
    expect(fp.ends[0]!.target).toBe(`localhost:${secure.port}`);
  });

  it("serves undici's ProxyAgent for http and https targets", async () => {
    const plain = track(await startOrigin((_req, res) => res.end('plain')));
    const secure = track(await startOrigin((_req, res) => res.end('secure'), true));
    const fp = track(await startForwardProxy());
    const agent = new ProxyAgent({ uri: fp.url, requestTls: { ca: cert } });
    try {
      const a = await undiciRequest(`${plain.url}/`, { dispatcher: agent });
      expect(await a.body.text()).toBe('plain');
      const b = await undiciRequest(`https://localhost:${secure.port}/`, { dispatcher: agent });
      expect(await b.body.text()).toBe('secure');
    } finally {
      await agent.close();
    }
  });

  it('serves https-proxy-agent with node:https', async () => {
    const secure = track(await startOrigin((_req, res) => res.end('via agent'), true));
    const fp = track(await startForwardProxy());
    const agent = new HttpsProxyAgent(fp.url);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(
          `https://localhost:${secure.port}/`,
          { agent, ca: cert },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('via agent');
    } finally {
      agent.destroy();
    }
  });

  it('carries a WebSocket (ws) through a plain tunnel', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    track({ close: () => new Promise<void>((resolve) => wss.close(() => resolve())) });
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (socket) =>
      socket.on('message', (data) => socket.send(`echo ${String(data)}`)),
    );
    const port = (wss.address() as { port: number }).port;
    const fp = track(await startForwardProxy());
    const agent = new HttpsProxyAgent(fp.url);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { agent });
    await within(new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)));
    ws.send('hi');
    const [reply] = (await within(
      new Promise((resolve) => ws.once('message', (...a) => resolve(a))),
    )) as [Buffer];
    expect(String(reply)).toBe('echo hi');
    ws.close();
    await within(new Promise((resolve) => ws.once('close', resolve)));
    for (const client of wss.clients) client.terminate();
  });

  it('carries 32 MiB each way through a tunnel, checksummed', async () => {
    const download = randomBytes(32 * MiB);
    let uploaded = '';
    const origin = track(
      await startOrigin((req, res) => {
        if (req.method === 'GET') {
          res.end(download);
          return;
        }
        const hash = createHash('sha256');
        req.on('data', (chunk: Buffer) => hash.update(chunk));
        req.on('end', () => {
          uploaded = hash.digest('hex');
          res.end(uploaded);
        });
      }),
    );
    const fp = track(await startForwardProxy());
    const got = await curl('-p', '-x', fp.url, `${origin.url}/`);
    expect(sha256(Buffer.from(got, 'latin1'))).toBe(sha256(download));
    const upload = randomBytes(32 * MiB);
    // Upload: curl reads the body from a pipe fed by us.
    const child = execFile('curl', [
      '-sS',
      '--max-time',
      '20',
      '-p',
      '-x',
      fp.url,
      '--data-binary',
      '@-',
      `${origin.url}/`,
    ]);
    let answer = '';
    child.stdout!.on('data', (chunk: string) => (answer += chunk));
    child.stdin!.end(upload);
    await within(new Promise((resolve) => child.once('close', resolve)), 20_000, 'curl upload');
    expect(answer).toBe(sha256(upload));
    expect(uploaded).toBe(sha256(upload));
  }, 60_000);

  it('chains two httpwire forward proxies: the first dials through the second with CONNECT', async () => {
    const origin = track(await startOrigin((req, res) => res.end(`chained ${req.url}`)));
    const secure = track(await startOrigin((_req, res) => res.end('chained tls'), true));
    const second = track(await startForwardProxy());
    const first = track(await startForwardProxy({ dial: chainThrough(second.port) }));
    expect(await curl('-p', '-x', first.url, `${origin.url}/x`)).toBe('chained /x');
    expect(
      await curl('-x', first.url, '--cacert', CA_FILE, `https://localhost:${secure.port}/`),
    ).toBe('chained tls');
    expect(await settles(() => second.ends.length === 2)).toBe(true);
    expect(second.ends.map((e) => e.target)).toEqual([
      `127.0.0.1:${origin.port}`,
      `localhost:${secure.port}`,
    ]);
  });
});
