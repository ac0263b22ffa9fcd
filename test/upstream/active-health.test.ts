import { describe, expect, it } from 'vitest';
import type { ResponseWriter } from '../../src/server/handler.js';
import type { Request } from '../../src/message/request.js';
import { startRawServer } from '../helpers/raw-peer.js';
import { settles } from '../helpers/waiting.js';
import { useUpstreamHarness } from './harness.js';

const h = useUpstreamHarness();
const fast = { interval: 30, timeout: 200, rise: 2, fall: 2 };

describe('Upstreams active health checks', () => {
  it('marks a target unhealthy after fall failed checks and healthy after rise passed ones', async () => {
    let status = 200;
    const a = await h.backend('a', (rw: ResponseWriter, req: Request) => {
      if (req.url.path === '/health') rw.writeHeader(status);
    });
    const u = h.upstreams([a.url], { health: { path: '/health', ...fast } });
    status = 500;
    expect(await settles(() => !u.status()[0]!.healthy)).toBe(true);
    expect(h.logs.at(-1)).toContain('is unhealthy: 2 failed health checks: status 500');
    status = 204;
    expect(await settles(() => u.status()[0]!.healthy)).toBe(true);
    expect(h.logs.at(-1)).toContain('is healthy: 2 passed health checks');
    expect(a.executed.every((line) => line === 'GET /health')).toBe(true);
  });

  it('fails a hanging health endpoint at the timeout, one check at a time', async () => {
    let open = 0;
    let most = 0;
    const hanging = await startRawServer(async (peer) => {
      open++;
      most = Math.max(most, open);
      await peer.clientEnded();
      open--;
    });
    try {
      const u = h.upstreams([`http://127.0.0.1:${hanging.port}`], {
        health: { path: '/health', ...fast, timeout: 60 },
      });
      expect(await settles(() => !u.status()[0]!.healthy)).toBe(true);
      expect(h.logs.at(-1)).toContain('timeout after 60 ms');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(most).toBe(1);
    } finally {
      await hanging.close();
    }
  });

  it('judges a redirect by its status without following it', async () => {
    const a = await h.backend('a', (rw: ResponseWriter) => {
      rw.header().set('Location', 'http://127.0.0.1:1/elsewhere');
      rw.writeHeader(302);
    });
    const lenient = h.upstreams([a.url], { health: { path: '/h', ...fast } });
    const strict = h.upstreams([a.url], { health: { path: '/h', ...fast, expect: [200] } });
    expect(await settles(() => !strict.status()[0]!.healthy)).toBe(true);
    expect(lenient.status()[0]!.healthy).toBe(true);
    expect(a.executed.every((line) => line === 'GET /h')).toBe(true);
  });

  it('reads only the head of a huge health answer and closes the connection', async () => {
    let closed = 0;
    const huge = await startRawServer(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n');
      const chunk = Buffer.alloc(65536, 0x61);
      for (let i = 0; i < 64 && !peer.socket.destroyed; i++) {
        await peer.write(chunk).catch(() => undefined);
      }
      await peer.clientEnded();
      closed++;
    });
    try {
      const u = h.upstreams([`http://127.0.0.1:${huge.port}`], {
        health: { path: '/health', ...fast },
      });
      expect(await settles(() => closed >= 3)).toBe(true);
      expect(u.status()[0]!.healthy).toBe(true);
    } finally {
      await huge.close();
    }
  });

  it('marks a target unhealthy when its health answer is not HTTP', async () => {
    const garbage = await startRawServer(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.end('SSH-2.0-OpenSSH\r\n');
    });
    try {
      const u = h.upstreams([`http://127.0.0.1:${garbage.port}`], {
        health: { path: '/health', ...fast },
      });
      expect(await settles(() => !u.status()[0]!.healthy)).toBe(true);
    } finally {
      await garbage.close();
    }
  });
});
