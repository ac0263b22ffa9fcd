import { channel } from 'node:diagnostics_channel';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/errors.js';
import { Request } from '../../src/message/request.js';
import type { ResponseWriter } from '../../src/server/handler.js';
import { wireFacts } from '../../src/transport/wire-facts.js';
import { UPSTREAM_STATE_CHANNEL, type UpstreamStateMessage } from '../../src/upstream/index.js';
import { startRawServer } from '../helpers/raw-peer.js';
import { rejection, settles, within } from '../helpers/waiting.js';
import { names, tally, useUpstreamHarness } from './harness.js';

const h = useUpstreamHarness();

/** resetting: a raw backend that reads each request head (and body) and resets the connection unanswered. */
async function resetting() {
  const server = await startRawServer(async (peer) => {
    await peer.waitFor('\r\n\r\n');
    peer.reset();
  });
  return { url: `http://127.0.0.1:${server.port}`, close: () => server.close() };
}

describe('Upstreams failover by wire facts', () => {
  it('retries a POST whose dial was refused on another target, once executed', async () => {
    const a = await h.backend('a');
    const u = h.upstreams([await h.refusing(), a.url], { passive: false });
    for (let i = 0; i < 6; i++) {
      const res = await u.roundTrip(new Request('POST', 'http://x/order', { body: `n${i}` }));
      expect(await res.body!.text()).toBe('a');
    }
    expect(a.executed).toHaveLength(6);
  });

  it('retries a request with a streaming body that never reached the wire', async () => {
    const a = await h.backend('a', async (rw, req) => {
      await rw.write(await req.body!.text());
    });
    const u = h.upstreams([await h.refusing(), a.url], { passive: false, policy: 'first' });
    const body = Readable.from(['stre', 'am']);
    const res = await u.roundTrip(new Request('POST', 'http://x/', { body }));
    expect(await res.body!.text()).toBe('stream');
  });

  it('never sends a written POST twice: the error says it was written', async () => {
    const bad = await resetting();
    try {
      const a = await h.backend('a');
      const u = h.upstreams([bad.url, a.url], { passive: false, policy: 'first' });
      const err = await rejection(u.roundTrip(new Request('POST', 'http://x/', { body: 'once' })));
      expect(wireFacts(err)).toMatchObject({ requestWritten: true, responseStarted: false });
      expect(a.executed).toEqual([]);
    } finally {
      await bad.close();
    }
  });

  it('retries a written idempotent request with a replayable body on another target', async () => {
    const bad = await resetting();
    try {
      const a = await h.backend('a', async (rw, req) => {
        await rw.write(`a:${await req.body!.text()}`);
      });
      const u = h.upstreams([bad.url, a.url], { passive: false, policy: 'first' });
      const res = await u.roundTrip(new Request('PUT', 'http://x/', { body: 'same' }));
      expect(await res.body!.text()).toBe('a:same');
      const get = await u.roundTrip(new Request('GET', 'http://x/'));
      expect(await get.body!.text()).toBe('a:');
    } finally {
      await bad.close();
    }
  });

  it('does not retry a written request when tries is 1, nor a PUT with a streaming body', async () => {
    const bad = await resetting();
    try {
      const a = await h.backend('a');
      const once = h.upstreams([bad.url, a.url], {
        passive: false,
        policy: 'first',
        retry: { tries: 1 },
      });
      expect(await rejection(once.roundTrip(new Request('GET', 'http://x/')))).not.toBeNull();
      const u = h.upstreams([bad.url, a.url], { passive: false, policy: 'first' });
      const body = Readable.from(['not', 'again']);
      expect(
        await rejection(u.roundTrip(new Request('PUT', 'http://x/', { body }))),
      ).not.toBeNull();
      expect(a.executed).toEqual([]);
    } finally {
      await bad.close();
    }
  });

  it('rejects with UnavailableError at once when no target is available', async () => {
    const u = h.upstreams([await h.refusing(), await h.refusing()], {
      passive: { failures: 1, maxEjectedPercent: 100, ejectFor: 60_000 },
    });
    const first = await rejection(u.roundTrip(new Request('GET', 'http://x/')));
    expect(first).toMatchObject({ code: 'ERR_DIAL' }); // every attempt failed: the last error
    const err = await within(rejection(u.roundTrip(new Request('GET', 'http://x/'))), 10_000);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).toMatchObject({ code: 'ERR_NO_UPSTREAM' });
    expect((err as UnavailableError).retryAfter).toBeGreaterThan(50);
  });
});

describe('Upstreams passive health', () => {
  it('ejects a failing target, publishes it, and takes it back when the ejection ends', async () => {
    const seen: UpstreamStateMessage[] = [];
    const onState = (m: unknown) => seen.push(m as UpstreamStateMessage);
    const states = channel(UPSTREAM_STATE_CHANNEL);
    states.subscribe(onState);
    try {
      const a = await h.backend('a');
      const b = await h.backend('b');
      const u = h.upstreams([a.url, b.url], { passive: { failures: 3, ejectFor: 300 } });
      await b.kill();
      expect(tally(await names(u, 10))).toEqual({ a: 10 }); // refused: failed over for free
      const [, sb] = u.status();
      expect(sb).toMatchObject({ healthy: false, failures: 3 });
      expect(sb!.ejectedUntil).toBeGreaterThan(Date.now());
      expect(seen[0]).toEqual({
        url: `${b.url}/`,
        healthy: false,
        reason: 'ejected for 300 ms: 3 consecutive failures',
      });
      expect(h.logs[0]).toContain(`upstream ${b.url}/ is unhealthy: ejected for 300 ms`);
      await b.restart();
      expect(await settles(() => seen.length >= 2, 3000)).toBe(true);
      expect(u.status()[1]!.healthy).toBe(true);
      expect(seen[1]).toEqual({ url: `${b.url}/`, healthy: true, reason: 'ejection over' });
      expect(tally(await names(u, 40))).toHaveProperty('b'); // eased in, but back
    } finally {
      states.unsubscribe(onState);
    }
  });

  it('ejects at most maxEjectedPercent of the targets', async () => {
    const a = await h.backend('a');
    const dead = [await h.refusing(), await h.refusing(), await h.refusing()];
    const u = h.upstreams([a.url, ...dead], {
      passive: { failures: 1, maxEjectedPercent: 50, ejectFor: 60_000 },
    });
    expect(tally(await names(u, 12))).toEqual({ a: 12 });
    expect(u.status().filter((s) => s.ejectedUntil !== null)).toHaveLength(2);
  });

  it('marks a target that answers 503 with Retry-After and retries the GET elsewhere', async () => {
    const busy = await h.backend('busy', (rw: ResponseWriter) => {
      rw.header().set('Retry-After', '2');
      rw.writeHeader(503);
    });
    const a = await h.backend('a');
    const u = h.upstreams([busy.url, a.url], { policy: 'first' });
    expect(tally(await names(u, 5))).toEqual({ a: 5 });
    expect(busy.executed).toHaveLength(1);
    const until = u.status()[0]!.ejectedUntil!;
    expect(Number.isInteger(until)).toBe(true); // epoch ms, though kept on a monotonic clock
    expect(until - Date.now()).toBeGreaterThan(1000);
    expect(until - Date.now()).toBeLessThanOrEqual(2000);
  });

  it('eases a returning target in with a reduced weight (slow start)', async () => {
    const [a, b] = await Promise.all(['a', 'b'].map((n) => h.backend(n)));
    const u = h.upstreams([a!.url], { slowStart: 60_000 });
    u.add(b!.url);
    const counts = tally(await names(u, 40));
    expect(counts.b ?? 0).toBeGreaterThan(0);
    expect(counts.b ?? 0).toBeLessThan(8); // a tenth of the weight: about 4 of 40
  });
});
