import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type Request, Response } from '../../src/index.js';
import { cert, key } from '../fixtures/tls/index.js';
import { closeAll, serveConns } from './server-conn-harness.js';

afterEach(closeAll);

const run = promisify(execFile);
const certPath = fileURLToPath(new URL('../fixtures/tls/cert.pem', import.meta.url));

async function answer(req: Request): Promise<Response> {
  const body = await req.body!.text();
  return new Response(200, { body: `tls ${req.method} ${req.url.path} ${body}`.trimEnd() });
}

describe('ServerConn on TLS sockets', () => {
  it('serves undici over TLS with pipelined requests on one connection', async () => {
    const served = await serveConns(answer, { key, cert });
    const client = new Client(`https://127.0.0.1:${served.port}`, {
      pipelining: 5,
      connect: { ca: cert },
    });
    try {
      const texts = await Promise.all(
        Array.from({ length: 5 }, async (_, i) => {
          const res = await client.request({ path: `/s/${i}`, method: 'POST', body: `b${i}` });
          expect(res.statusCode).toBe(200);
          return res.body.text();
        }),
      );
      expect(texts).toEqual(Array.from({ length: 5 }, (_, i) => `tls POST /s/${i} b${i}`));
    } finally {
      await client.close();
    }
    expect(served.connections).toBe(1);
  });

  it('serves curl over TLS, reusing the connection for several URLs', async () => {
    const served = await serveConns(answer, { key, cert });
    const base = `https://127.0.0.1:${served.port}`;
    const { stdout, stderr } = await run('curl', [
      '-s',
      '-v',
      '--cacert',
      certPath,
      `${base}/one`,
      `${base}/two`,
    ]);
    expect(stdout).toBe('tls GET /onetls GET /two');
    expect(stderr).toContain('Re-using existing connection');
    expect(served.connections).toBe(1);
    expect(served.requests[0]!.remoteAddr).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});
