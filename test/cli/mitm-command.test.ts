/**
 * `httpwire ca create` and `httpwire forward --mitm-ca` as users run them:
 * child processes (dist/, built by `npm test`) driven by curl -x --cacert,
 * undici's ProxyAgent and ws. The child trusts the test origin's
 * certificate through NODE_EXTRA_CA_CERTS, as a user's system store would.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { ProxyAgent, request } from 'undici';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cert, key } from '../fixtures/tls/index.js';
import { ForwardProxy } from '../../src/forward/index.js';
import { createServer } from '../../src/server/server.js';
import { CLI, useForwardCli } from '../helpers/forward-cli.js';
import { within } from '../helpers/waiting.js';

const FIXTURE_CERT = fileURLToPath(new URL('../fixtures/tls/cert.pem', import.meta.url));
const run = promisify(execFile);
const MiB = 1 << 20;
let dir = '';
const startForward = useForwardCli();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'httpwire-mitm-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** createCA runs `httpwire ca create` into a fresh directory and returns it with the output. */
async function createCA(name: string): Promise<{ caDir: string; stdout: string }> {
  const caDir = join(dir, name);
  const { stdout } = await run(process.execPath, [CLI, 'ca', 'create', caDir], { timeout: 10_000 });
  return { caDir, stdout };
}

/** startIntercepting runs `httpwire forward --mitm-ca caDir`, trusting the test origin's certificate. */
function startIntercepting(caDir: string) {
  return startForward(['--mitm-ca', caDir], { ...process.env, NODE_EXTRA_CA_CERTS: FIXTURE_CERT });
}

/** httpsOrigin starts a node:https origin with the test certificate, closed after the file. */
async function httpsOrigin(handler: Parameters<typeof createHttpsServer>[1]) {
  const server = createHttpsServer({ key, cert }, handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** curlTrusting fetches `urls` with curl through the proxy at `proxyUrl`, trusting the CA in `caDir`; it resolves with stdout. */
async function curlTrusting(proxyUrl: string, caDir: string, ...urls: string[]): Promise<string> {
  const args = ['-sS', '--max-time', '10', '-x', proxyUrl, '--cacert', join(caDir, 'ca.pem')];
  const { stdout } = await run('curl', [...args, ...urls]);
  return stdout;
}

/** pseudoRandom returns `size` deterministic bytes that do not compress. */
function pseudoRandom(size: number): Buffer {
  const out = Buffer.alloc(size);
  let seed = createHash('sha256').update('httpwire').digest();
  for (let at = 0; at < size; at += seed.length) {
    seed.copy(out, at);
    seed = createHash('sha256').update(seed).digest();
  }
  return out;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('httpwire ca create', () => {
  it('writes ca.pem and ca-key.pem (mode 0600) and says how to use them with curl --cacert', async () => {
    const { caDir, stdout } = await createCA('made');
    expect((await stat(join(caDir, 'ca-key.pem'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(caDir, 'ca.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(await readFile(join(caDir, 'ca-key.pem'), 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(stdout).toContain(`--mitm-ca ${caDir}`);
    expect(stdout).toContain(`--cacert ${join(caDir, 'ca.pem')}`);
  });

  it('refuses to overwrite an existing CA (exit 1) and wants a directory (exit 2)', async () => {
    const { caDir } = await createCA('twice');
    const before = await readFile(join(caDir, 'ca-key.pem'), 'utf8');
    const again = await run(process.execPath, [CLI, 'ca', 'create', caDir]).catch(
      (e: unknown) => e,
    );
    expect(again).toMatchObject({ code: 1, stderr: expect.stringContaining('exists') });
    expect(await readFile(join(caDir, 'ca-key.pem'), 'utf8')).toBe(before);
    const bare = await run(process.execPath, [CLI, 'ca', 'create']).catch((e: unknown) => e);
    expect(bare).toMatchObject({ code: 2 });
  });
});

describe('httpwire forward --mitm-ca', () => {
  it('intercepts curl -x --cacert, logging each decrypted request', async () => {
    const { caDir } = await createCA('curl');
    const origin = await httpsOrigin((req, res) => res.end(`origin saw ${req.url}`));
    try {
      const proxy = await startIntercepting(caDir);
      expect(proxy.hint).toContain(`--cacert ${join(caDir, 'ca.pem')}`);
      const stdout = await curlTrusting(proxy.url, caDir, `${origin.url}/a`, `${origin.url}/b`);
      expect(stdout).toBe('origin saw /aorigin saw /b');
      expect(await proxy.nextLine()).toMatch(new RegExp(`^GET ${origin.url}/a 200 13 `));
      expect(await proxy.nextLine()).toMatch(new RegExp(`^GET ${origin.url}/b 200 13 `));
      // Without the CA, curl refuses the leaf: interception is never silent.
      const untrusted = await run('curl', [
        '-sS',
        '--max-time',
        '10',
        '-x',
        proxy.url,
        `${origin.url}/`,
      ]).catch((e: unknown) => e);
      expect(untrusted).toMatchObject({ code: 60 }); // CURLE_PEER_FAILED_VERIFICATION
    } finally {
      await origin.close();
    }
  });

  it('reaches the origins through --upstream while intercepting', async () => {
    const { caDir } = await createCA('upstream');
    const origin = await httpsOrigin((req, res) => res.end(`origin saw ${req.url}`));
    const seen: string[] = [];
    const upstream = new ForwardProxy({
      allow: (target) => {
        seen.push(`${target.method} ${target.host}:${target.port}`);
        return true;
      },
    });
    const upstreamServer = createServer(upstream);
    const { port } = await upstreamServer.listen(0, '127.0.0.1');
    try {
      const proxy = await startForward(
        ['--mitm-ca', caDir, '--upstream', `http://127.0.0.1:${port}`],
        { ...process.env, NODE_EXTRA_CA_CERTS: FIXTURE_CERT },
      );
      const stdout = await curlTrusting(proxy.url, caDir, `${origin.url}/via`);
      expect(stdout).toBe('origin saw /via');
      expect(await proxy.nextLine()).toMatch(new RegExp(`^GET ${origin.url}/via 200 15 `));
      // The decrypted request went on in a tunnel of the upstream's, TLS to the origin inside.
      expect(seen).toEqual([`CONNECT 127.0.0.1:${new URL(origin.url).port}`]);
    } finally {
      await upstreamServer.close();
      upstream.close();
      await origin.close();
    }
  });

  it('carries a 32 MiB download and a 32 MiB upload intact (sha-256)', async () => {
    const { caDir } = await createCA('big');
    const data = pseudoRandom(32 * MiB);
    const origin = await httpsOrigin((req, res) => {
      if (req.method === 'GET') {
        res.end(data);
        return;
      }
      const hash = createHash('sha256');
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () => res.end(`${size} ${hash.digest('hex')}`));
    });
    try {
      const proxy = await startIntercepting(caDir);
      const file = join(dir, 'upload.bin');
      await writeFile(file, data);
      const curlArgs = [
        '-sS',
        '--max-time',
        '60',
        '-x',
        proxy.url,
        '--cacert',
        join(caDir, 'ca.pem'),
      ];
      const down = await run('curl', [...curlArgs, `${origin.url}/down`], {
        encoding: 'buffer',
        maxBuffer: 64 * MiB,
      });
      expect(down.stdout.length).toBe(32 * MiB);
      expect(sha256(down.stdout)).toBe(sha256(data));
      const up = await run('curl', [...curlArgs, '--data-binary', `@${file}`, `${origin.url}/up`]);
      expect(up.stdout).toBe(`${32 * MiB} ${sha256(data)}`);
    } finally {
      await origin.close();
    }
  }, 60_000);

  it('serves undici ProxyAgent with the CA and relays a ws WebSocket', async () => {
    const { caDir } = await createCA('clients');
    const caPEM = await readFile(join(caDir, 'ca.pem'), 'utf8');
    const origin = await httpsOrigin((req, res) => res.end(`undici ${req.url}`));
    const wss = new WebSocketServer({ server: origin.server });
    wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo ${String(data)}`)));
    const proxy = await startIntercepting(caDir);
    const agent = new ProxyAgent({ uri: proxy.url, requestTls: { ca: caPEM } });
    try {
      const res = await request(`${origin.url}/u`, { dispatcher: agent });
      expect(await res.body.text()).toBe('undici /u');
      const port = new URL(origin.url).port;
      const ws = new WebSocket(`wss://localhost:${port}/ws`, {
        agent: new HttpsProxyAgent(proxy.url),
        ca: caPEM,
      });
      await within(once(ws, 'open'), 5000, 'the WebSocket to open');
      ws.send('through');
      const [reply] = (await within(once(ws, 'message'), 5000, 'the echo')) as [Buffer];
      expect(String(reply)).toBe('echo through');
      ws.close();
      await within(once(ws, 'close'), 5000, 'the close');
    } finally {
      await agent.close();
      wss.close();
      await origin.close();
    }
  });
});
