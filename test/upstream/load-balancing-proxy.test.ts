import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { Request } from '../../src/message/request.js';
import type { ResponseWriter } from '../../src/server/handler.js';
import { createServer, type Server } from '../../src/server/server.js';
import { forwardAuth } from '../../src/upstream/forward-auth.js';
import {
  type LoadBalancingReverseProxy,
  newLoadBalancingReverseProxy,
} from '../../src/upstream/load-balancing-proxy.js';
import type { UpstreamsOptions } from '../../src/upstream/upstream-options.js';
import { within } from '../helpers/waiting.js';
import { tally, useUpstreamHarness } from './harness.js';

const h = useUpstreamHarness();
const fronts: Server[] = [];
const proxies: LoadBalancingReverseProxy[] = [];
afterEach(async () => {
  for (const p of proxies.splice(0)) p.close();
  await Promise.all(fronts.splice(0).map((s) => s.close()));
});

/** front serves `lb` on 127.0.0.1 and returns its URL. */
async function front(targets: string[], options: UpstreamsOptions = {}) {
  const lb = newLoadBalancingReverseProxy(targets, { errorLog: (m) => h.logs.push(m), ...options });
  proxies.push(lb);
  const server = createServer((rw, req) => lb.serveHTTP(rw, req), { errorLog: () => undefined });
  fronts.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { lb, url: `http://127.0.0.1:${port}` };
}

describe('newLoadBalancingReverseProxy', () => {
  it('joins each target path and query with the request and keeps the inbound Host', async () => {
    const seen: string[] = [];
    const echo = async (rw: ResponseWriter, req: Request, name: string) => {
      seen.push(`${name} ${req.host}`);
      await rw.write(name);
    };
    const a = await h.backend('a', echo);
    const b = await h.backend('b', echo);
    const { url } = await front([`${a.url}/api?k=1`, `${b.url}/v2/`]);
    for (let i = 0; i < 4; i++) {
      const res = await request(`${url}/users?id=7`);
      await res.body.text();
    }
    expect(a.executed).toEqual(['GET /api/users?k=1&id=7', 'GET /api/users?k=1&id=7']);
    expect(b.executed).toEqual(['GET /v2/users?id=7', 'GET /v2/users?id=7']);
    expect(new Set(seen.map((s) => s.split(' ')[1]))).toEqual(new Set([url.slice(7)]));
  });

  it('answers 503 with a short body when every target is down, and 502 when attempts fail', async () => {
    const dead = [await h.refusing(), await h.refusing()];
    const { url, lb } = await front(dead, {
      passive: { failures: 1, maxEjectedPercent: 100, ejectFor: 60_000 },
    });
    const first = await within(request(`${url}/`), 10_000);
    expect(first.statusCode).toBe(502);
    await first.body.text();
    const res = await within(request(`${url}/`), 10_000);
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(50);
    expect(await res.body.text()).toBe('no healthy upstream\n');
    expect(lb.upstreams.status().every((s) => !s.healthy)).toBe(true);
  });

  it('spreads requests from undici by the policy', async () => {
    const backends = await Promise.all(['a', 'b', 'c'].map((n) => h.backend(n)));
    const { url } = await front(backends.map((b) => b.url));
    const got: string[] = [];
    for (let i = 0; i < 30; i++) got.push(await (await request(`${url}/`)).body.text());
    expect(tally(got)).toEqual({ a: 10, b: 10, c: 10 });
  });
});

describe('forwardAuth', () => {
  it('lets an allowed request through with the chosen headers, replacing the client’s', async () => {
    const auth = await h.backend('auth', (rw: ResponseWriter, req: Request) => {
      rw.header().set('X-User', 'alice');
      rw.header().set('X-Secret', 'not copied');
      rw.header().set('X-Seen', `${req.method} ${req.header.get('X-Forwarded-Uri')}`);
      rw.writeHeader(req.header.get('Authorization') === 'Bearer ok' ? 204 : 401);
    });
    const app = await h.backend('app', async (rw, req) => {
      await rw.write(
        `user=${req.header.values('X-User').join(',')} secret=${req.header.get('X-Secret')}`,
      );
    });
    const { url, lb } = await front([app.url]);
    const hook = forwardAuth(`${auth.url}/verify`, { copyHeaders: ['X-User'] });
    lb.proxy = hook;
    try {
      const res = await request(`${url}/orders?n=1`, {
        method: 'POST',
        body: 'payload',
        headers: { authorization: 'Bearer ok', 'x-user': 'mallory' },
      });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe('user=alice secret=null');
      expect(auth.executed).toEqual(['POST /verify']);
    } finally {
      hook.close();
    }
  });

  it('answers a denied request with the auth service’s answer; the backend sees nothing', async () => {
    const auth = await h.backend('auth', async (rw: ResponseWriter) => {
      rw.header().set('WWW-Authenticate', 'Bearer');
      rw.writeHeader(401);
      await rw.write('login first');
    });
    const app = await h.backend('app');
    const { url, lb } = await front([app.url]);
    const hook = forwardAuth(new URL(`${auth.url}/verify`));
    lb.proxy = hook;
    try {
      const res = await request(`${url}/private`);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(await res.body.text()).toBe('login first');
      expect(app.executed).toEqual([]);
    } finally {
      hook.close();
    }
  });

  it('fails closed with 502 when the auth service is unreachable', async () => {
    const app = await h.backend('app');
    const { url, lb } = await front([app.url]);
    const hook = forwardAuth(await h.refusing());
    lb.proxy = hook;
    try {
      const res = await request(`${url}/private`);
      expect(res.statusCode).toBe(502);
      await res.body.text();
      expect(app.executed).toEqual([]);
    } finally {
      hook.close();
    }
  });
});
