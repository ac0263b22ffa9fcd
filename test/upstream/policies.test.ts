import { describe, expect, it } from 'vitest';
import { Request } from '../../src/message/request.js';
import type { ResponseWriter } from '../../src/server/handler.js';
import { deferred } from '../helpers/waiting.js';
import { names, tally, useUpstreamHarness } from './harness.js';

const h = useUpstreamHarness();

/** longestRun: the longest run of one value in `list`. */
function longestRun(list: readonly string[]): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < list.length; i++) {
    run = i > 0 && list[i] === list[i - 1] ? run + 1 : 1;
    best = Math.max(best, run);
  }
  return best;
}

/** slowAndFast: a backend `slow` that answers once `release` resolves, and `fast`. */
async function slowAndFast() {
  const release = deferred();
  const slow = await h.backend('slow', async (rw: ResponseWriter) => {
    await release.promise;
    await rw.write('slow');
  });
  return { release, slow, fast: await h.backend('fast') };
}

describe('round-robin', () => {
  it('spreads 5:1:1 exactly by weight and never gives the heavy target 5 in a row (nginx smooth WRR)', async () => {
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => h.backend(n)));
    const u = h.upstreams([{ url: a!.url, weight: 5 }, b!.url, c!.url]);
    const got = await names(u, 70);
    expect(tally(got)).toEqual({ a: 50, b: 10, c: 10 });
    expect(got.slice(0, 7)).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a']);
    expect(longestRun(got)).toBeLessThan(5);
  });
});

describe('least-outstanding', () => {
  it('sends new requests away from a target with requests in flight', async () => {
    const { release, slow, fast } = await slowAndFast();
    const u = h.upstreams([slow.url, fast.url], { policy: 'least-outstanding' });
    const held = [0, 1, 2, 3].map(() => u.roundTrip(new Request('GET', 'http://x/')));
    // Two on each while all are in flight: ties are taken in turn.
    expect(u.status().map((s) => s.outstanding)).toEqual([2, 2]);
    for (const res of await Promise.all([held[1]!, held[3]!])) {
      expect(await res.body!.text()).toBe('fast');
    }
    expect(tally(await names(u, 10))).toEqual({ fast: 10 });
    release.resolve();
    for (const res of await Promise.all([held[0]!, held[2]!])) {
      expect(await res.body!.text()).toBe('slow');
    }
  });
});

describe('random-two', () => {
  it('spreads sequential requests evenly over equal targets (±35% of the mean over 400)', async () => {
    const backends = await Promise.all(['a', 'b', 'c', 'd'].map((n) => h.backend(n)));
    const u = h.upstreams(
      backends.map((b) => b.url),
      { policy: 'random-two' },
    );
    const counts = tally(await names(u, 400));
    for (const n of ['a', 'b', 'c', 'd']) {
      expect(counts[n], JSON.stringify(counts)).toBeGreaterThan(65);
      expect(counts[n], JSON.stringify(counts)).toBeLessThan(135);
    }
  });

  it('prefers the less loaded of its two choices', async () => {
    const { release, slow, fast } = await slowAndFast();
    const u = h.upstreams([slow.url, fast.url], { policy: 'random-two' });
    const held = [0, 1, 2, 3, 4, 5].map(() => u.roundTrip(new Request('GET', 'http://x/')));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // With two targets both are always drawn: the loaded one never wins.
    expect(tally(await names(u, 10))).toEqual({ fast: 10 });
    release.resolve();
    await Promise.all(held.map(async (p) => (await p).body!.dump()));
  });
});

describe('first', () => {
  it('sends everything to the first available target, in order', async () => {
    const [a, b] = await Promise.all(['a', 'b'].map((n) => h.backend(n)));
    const dead = await h.refusing();
    const u = h.upstreams([dead, a!.url, b!.url], { policy: 'first' });
    expect(tally(await names(u, 20))).toEqual({ a: 20 });
  });
});

describe('consistent hashing', () => {
  const byKey = { hash: (req: Request) => req.header.get('X-User') ?? '' };
  const keys = Array.from({ length: 300 }, (_, i) => `user-${i}`);

  async function mapping(u: ReturnType<typeof h.upstreams>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const key of keys) {
      const res = await u.roundTrip(new Request('GET', 'http://x/', { header: { 'X-User': key } }));
      out.set(key, await res.body!.text());
    }
    return out;
  }

  it('maps a key to the same target in every instance, whatever the order of targets', async () => {
    const backends = await Promise.all(['a', 'b', 'c', 'd'].map((n) => h.backend(n)));
    const urls = backends.map((b) => b.url);
    const one = await mapping(h.upstreams(urls, { policy: byKey }));
    const other = await mapping(h.upstreams([...urls].reverse(), { policy: byKey }));
    expect(other).toEqual(one);
    const counts = tally([...one.values()]);
    for (const n of ['a', 'b', 'c', 'd']) {
      expect(counts[n], JSON.stringify(counts)).toBeGreaterThan(45); // 75 ± 30
      expect(counts[n], JSON.stringify(counts)).toBeLessThan(105);
    }
  });

  it('moves only the keys of a target that leaves, and spreads them', async () => {
    const backends = await Promise.all(['a', 'b', 'c', 'd'].map((n) => h.backend(n)));
    const u = h.upstreams(
      backends.map((b) => b.url),
      { policy: byKey },
    );
    const before = await mapping(u);
    await u.remove(backends[2]!.url);
    const after = await mapping(u);
    const moved: string[] = [];
    for (const key of keys) {
      if (before.get(key) === 'c') moved.push(after.get(key)!);
      else expect(after.get(key), key).toBe(before.get(key));
    }
    const spread = tally(moved);
    expect(Object.keys(spread).sort()).toEqual(['a', 'b', 'd']);
  });
});
