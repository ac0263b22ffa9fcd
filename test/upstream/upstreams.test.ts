import { describe, expect, it } from 'vitest';
import { Request } from '../../src/message/request.js';
import { Upstreams } from '../../src/upstream/upstreams.js';
import { names, tally, useUpstreamHarness } from './harness.js';

const h = useUpstreamHarness();

describe('Upstreams construction', () => {
  it('rejects zero targets, non-http URLs, duplicates and bad weights with a TypeError', () => {
    const bad: unknown[][] = [
      [],
      ['ftp://127.0.0.1:21'],
      ['not a url'],
      ['http://'],
      ['http://127.0.0.1:1', 'http://127.0.0.1:1/'],
      ['http://LOCALHOST:80', 'http://localhost'],
      [{ url: 'http://127.0.0.1:1', weight: 0 }],
      [{ url: 'http://127.0.0.1:1', weight: -2 }],
      [{ url: 'http://127.0.0.1:1', weight: 1.5 }],
      [{ url: 'http://127.0.0.1:1', weight: Number.NaN }],
    ];
    for (const targets of bad) {
      expect(() => new Upstreams(targets as never), JSON.stringify(targets)).toThrow(TypeError);
    }
  });

  it('rejects an unknown policy and out-of-range options with a TypeError', () => {
    const t = ['http://127.0.0.1:1'];
    expect(() => new Upstreams(t, { policy: 'fastest' as never })).toThrow(TypeError);
    expect(() => new Upstreams(t, { retry: { tries: 0 } })).toThrow(TypeError);
    expect(() => new Upstreams(t, { health: { path: 'health' } })).toThrow(TypeError);
    expect(() => new Upstreams(t, { passive: { failures: 0 } })).toThrow(TypeError);
  });

  it('starts every target healthy and reports it in status()', () => {
    const u = h.upstreams([
      'http://127.0.0.1:1',
      { url: new URL('http://127.0.0.1:2/base'), weight: 3 },
    ]);
    expect(u.status()).toEqual([
      {
        url: 'http://127.0.0.1:1/',
        weight: 1,
        healthy: true,
        ejectedUntil: null,
        outstanding: 0,
        requests: 0,
        failures: 0,
        latencyEwmaMs: 0,
      },
      expect.objectContaining({ url: 'http://127.0.0.1:2/base', weight: 3, healthy: true }),
    ]);
  });
});

describe('Upstreams round trips', () => {
  it('points the request at the target and counts it', async () => {
    const a = await h.backend('a');
    const u = h.upstreams([a.url]);
    const res = await u.roundTrip(new Request('GET', 'http://service/x?y=1'));
    expect(await res.body!.text()).toBe('a');
    expect(a.executed).toEqual(['GET /x?y=1']);
    const [s] = u.status();
    expect(s).toMatchObject({ requests: 1, outstanding: 0, failures: 0 });
    expect(s!.latencyEwmaMs).toBeGreaterThan(0);
  });

  it('add() and remove() change the members at run time', async () => {
    const a = await h.backend('a');
    const b = await h.backend('b');
    const u = h.upstreams([a.url], { slowStart: 0 });
    u.add(b.url);
    expect(() => u.add(b.url)).toThrow(TypeError);
    expect(tally(await names(u, 4))).toEqual({ a: 2, b: 2 });
    expect(await u.remove(a.url)).toBe(true);
    expect(await u.remove(a.url)).toBe(false);
    expect(tally(await names(u, 3))).toEqual({ b: 3 });
    expect(u.status().map((s) => s.url)).toEqual([`${b.url}/`]);
  });
});
