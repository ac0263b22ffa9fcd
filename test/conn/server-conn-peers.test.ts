import { execFile } from 'node:child_process';
import { request as httpRequest, Agent } from 'node:http';
import { promisify } from 'node:util';
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type Request, Response } from '../../src/index.js';
import { closeAll, serveConns } from './server-conn-harness.js';

afterEach(closeAll);

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Answers with the request's method and path after a delay that shrinks with each request. */
function echoPath() {
  let n = 0;
  return async (req: Request) => {
    const delay = Math.max(0, 20 - 2 * n++);
    const body = await req.body!.text();
    await sleep(delay); // later requests finish first; the conn must still answer in order
    return new Response(200, {
      header: { 'Content-Type': 'text/plain' },
      body: `${req.method} ${req.url.path}${body === '' ? '' : ` ${body}`}`,
    });
  };
}

describe('ServerConn with real clients', () => {
  it('serves curl fetching several URLs on one connection', async () => {
    const served = await serveConns(echoPath());
    const base = `http://127.0.0.1:${served.port}`;
    const { stdout, stderr } = await run('curl', [
      '-s',
      '-v',
      `${base}/a`,
      `${base}/b`,
      `${base}/c`,
    ]);
    expect(stdout).toBe('GET /aGET /bGET /c');
    expect(stderr).toContain('Re-using existing connection');
    expect(served.connections).toBe(1);
    expect(served.requests.map((r) => r.url.path)).toEqual(['/a', '/b', '/c']);
  });

  it('serves undici pipelining 10 requests at once, answering in order', async () => {
    const served = await serveConns(echoPath());
    const client = new Client(`http://127.0.0.1:${served.port}`, { pipelining: 10 });
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const method = i % 3 === 0 ? 'PUT' : 'GET';
          const res = await client.request({
            path: `/p/${i}`,
            method,
            body: method === 'PUT' ? `body-${i}` : undefined,
          });
          return [res.statusCode, await res.body.text()] as const;
        }),
      );
      expect(results).toEqual(
        Array.from({ length: 10 }, (_, i) => [
          200,
          i % 3 === 0 ? `PUT /p/${i} body-${i}` : `GET /p/${i}`,
        ]),
      );
    } finally {
      await client.close();
    }
    expect(served.connections).toBe(1);
  });

  it('serves node:http with a keep-alive Agent reusing one socket for sequential requests', async () => {
    const served = await serveConns(echoPath());
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ports = new Set<number>();
    try {
      for (const path of ['/x', '/y', '/z']) {
        const body = await new Promise<string>((resolve, reject) => {
          const req = httpRequest(
            { host: '127.0.0.1', port: served.port, path, method: 'POST', agent },
            (res) => {
              ports.add(res.socket.localPort!);
              expect(res.statusCode).toBe(200);
              expect(res.headers['content-type']).toBe('text/plain');
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (d: string) => (text += d));
              res.on('end', () => resolve(text));
              res.on('error', reject);
            },
          );
          req.on('error', reject);
          req.end(`data${path}`);
        });
        expect(body).toBe(`POST ${path} data${path}`);
      }
    } finally {
      agent.destroy();
    }
    expect(ports.size).toBe(1);
    expect(served.connections).toBe(1);
  });
});
