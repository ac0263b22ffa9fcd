import { execFile } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Request } from '../../src/message/request.js';
import type { ResponseWriter } from '../../src/server/handler.js';
import { cert, key } from '../fixtures/tls/index.js';
import { cleanup, listening } from './harness.js';

afterEach(cleanup);

const certPath = fileURLToPath(new URL('../fixtures/tls/cert.pem', import.meta.url));

/** curl runs curl with `args`, feeding `input` on stdin, and resolves with its output. */
function curl(args: string[], input?: Buffer): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile('curl', args, { maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      if (err) reject(err);
      else resolve({ stdout, stderr });
    });
    child.stdin!.end(input);
  });
}

/** Answers `METHOD /path [body size]`, reading the body the way `req.body` allows. */
async function echo(rw: ResponseWriter, req: Request): Promise<void> {
  const body = await req.body!.bytes();
  rw.header().set('Content-Type', 'text/plain');
  await rw.write(`${req.method} ${req.url.path}${body.length > 0 ? ` ${body.length}` : ''}`);
}

describe('Server with real clients', () => {
  it('serves curl fetching several URLs on one connection', async () => {
    const { port } = await listening(echo);
    const base = `http://127.0.0.1:${port}`;
    const { stdout, stderr } = await curl(['-sv', `${base}/a`, `${base}/b`, `${base}/c`]);
    expect(stdout).toBe('GET /aGET /bGET /c');
    expect(stderr).toContain('Re-using existing connection');
    expect(stderr).toContain('< Content-Length: 6');
  });

  it('sends 100 Continue to curl uploading 1 MiB with Expect: 100-continue', async () => {
    const { port } = await listening(echo);
    const upload = Buffer.alloc(1 << 20, 0x7a);
    const { stdout, stderr } = await curl(
      [
        '-sv',
        '-H',
        'Expect: 100-continue',
        '--expect100-timeout',
        '10',
        '--data-binary',
        '@-',
        `http://127.0.0.1:${port}/up`,
      ],
      upload,
    );
    expect(stdout).toBe(`POST /up ${1 << 20}`);
    expect(stderr).toContain('< HTTP/1.1 100 Continue');
  });

  it('serves curl --http1.0, closing after each response', async () => {
    const { port } = await listening(echo);
    const base = `http://127.0.0.1:${port}`;
    const { stdout, stderr } = await curl(['-sv', '--http1.0', `${base}/a`, `${base}/b`]);
    expect(stdout).toBe('GET /aGET /b');
    expect(stderr).toContain('< HTTP/1.0 200 OK');
    expect(stderr).not.toContain('Re-using existing connection');
  });

  it('serves undici pipelining 10 requests with bodies on one connection, in order', async () => {
    const peers = new Set<string>();
    const { port } = await listening(async (rw, req) => {
      peers.add(req.remoteAddr);
      await echo(rw, req);
    });
    const client = new Client(`http://127.0.0.1:${port}`, { pipelining: 10 });
    try {
      const texts = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const method = i % 2 === 0 ? 'PUT' : 'GET';
          const res = await client.request({
            path: `/p/${i}`,
            method,
            body: method === 'PUT' ? 'b'.repeat(i + 1) : undefined,
          });
          return res.body.text();
        }),
      );
      expect(texts).toEqual(
        Array.from({ length: 10 }, (_, i) =>
          i % 2 === 0 ? `PUT /p/${i} ${i + 1}` : `GET /p/${i}`,
        ),
      );
    } finally {
      await client.close();
    }
    expect(peers.size).toBe(1);
  });

  it('sends trailers that undici reads into res.trailers', async () => {
    const { port } = await listening(async (rw) => {
      rw.header().set('Trailer', 'X-Checksum');
      await rw.write('body');
      rw.header().set('X-Checksum', 'abc123');
      rw.header().set('Trailer:X-Extra', 'late');
    });
    const client = new Client(`http://127.0.0.1:${port}`);
    try {
      const res = await client.request({ path: '/', method: 'GET' });
      expect(await res.body.text()).toBe('body');
      expect(res.trailers).toEqual({ 'x-checksum': 'abc123', 'x-extra': 'late' });
    } finally {
      await client.close();
    }
  });

  it('serves node:http with a keep-alive Agent on one socket', async () => {
    const { port } = await listening(echo);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const localPorts = new Set<number>();
    try {
      for (const path of ['/x', '/y', '/z']) {
        const text = await new Promise<string>((resolve, reject) => {
          const req = httpRequest(
            { host: '127.0.0.1', port, path, method: 'POST', agent },
            (res) => {
              localPorts.add(res.socket.localPort!);
              let data = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => (data += chunk));
              res.on('end', () => resolve(data));
            },
          );
          req.on('error', reject);
          req.end('payload');
        });
        expect(text).toBe(`POST ${path} 7`);
      }
    } finally {
      agent.destroy();
    }
    expect(localPorts.size).toBe(1);
  });

  it('serves HTTPS with the tls option, marking requests as tls', async () => {
    const { port } = await listening(
      async (rw, req) => {
        await rw.write(`tls=${req.tls} ${req.method} ${req.url.path}`);
      },
      { tls: { key, cert } },
    );
    const { stdout } = await curl([
      '-s',
      '--cacert',
      certPath,
      `https://127.0.0.1:${port}/a`,
      `https://127.0.0.1:${port}/b`,
    ]);
    expect(stdout).toBe('tls=true GET /atls=true GET /b');
  });
});
