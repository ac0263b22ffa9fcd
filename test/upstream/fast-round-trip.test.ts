/**
 * Upstreams[FAST_ROUND_TRIP], the load balancer's side of the proxy's fast
 * path: its first attempt ends by callbacks, and what follows a 503 to
 * retry elsewhere resumes the same attempts roundTrip makes. Each case is
 * held to roundTrip on a twin Upstreams over the same backends.
 */
import { describe, expect, it } from 'vitest';
import { Request } from '../../src/message/request.js';
import type { Response } from '../../src/message/response.js';
import type { RawSink } from '../../src/transport/raw-exchange.js';
import { FAST_ROUND_TRIP } from '../../src/transport/round-tripper.js';
import type { Upstreams } from '../../src/upstream/upstreams.js';
import { within } from '../helpers/waiting.js';
import { useUpstreamHarness } from './harness.js';

const h = useUpstreamHarness();

type Outcome = { status: number; body: string } | { error: string };

/** fast runs a callback round trip and resolves with how it ended. */
function fast(u: Upstreams, req: Request): Promise<Outcome> {
  return new Promise((resolve) => {
    const answered = (res: Response, body: string) => resolve({ status: res.status, body });
    const sink: RawSink = {
      plain: (res, bytes) => answered(res, Buffer.from(bytes).toString()),
      response: (res) =>
        void res.body!.text().then(
          (b) => answered(res, b),
          (e: Error) => resolve({ error: e.message }),
        ),
      error: (err) => resolve({ error: (err as Error).message }),
    };
    expect(u[FAST_ROUND_TRIP](req, {}, sink)).toBe(true);
  });
}

/** general runs roundTrip and resolves with how it ended. */
async function general(u: Upstreams, req: Request): Promise<Outcome> {
  try {
    const res = await u.roundTrip(req);
    return { status: res.status, body: await res.body!.text() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe('Upstreams fast round trip', () => {
  it('fails over from a 503 with Retry-After on a warm connection, as roundTrip does', async () => {
    let calls = 0;
    const busy = await h.backend('busy', async (rw) => {
      if (calls++ % 2 === 0) return void (await rw.write('warm')); // leaves a kept-alive connection
      rw.header().set('Retry-After', '1');
      rw.writeHeader(503);
      await rw.write('busy');
    });
    const healthy = await h.backend('healthy');
    const outcomes: Outcome[] = [];
    for (const run of [fast, general]) {
      const u = h.upstreams([busy.url, healthy.url], { policy: 'first' });
      expect(await general(u, new Request('GET', `${busy.url}/`))).toEqual({
        status: 200,
        body: 'warm',
      });
      outcomes.push(await within(run(u, new Request('GET', `${busy.url}/`))));
    }
    expect(outcomes[0]).toEqual({ status: 200, body: 'healthy' });
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('ends in the body error of a 503 it drops, never hanging, as roundTrip does', async () => {
    const busy = await h.backend('busy', (rw) => {
      const { socket } = rw.hijack();
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      );
    });
    const healthy = await h.backend('healthy');
    const outcomes: Outcome[] = [];
    for (const run of [fast, general]) {
      const u = h.upstreams([busy.url, healthy.url], { policy: 'first' });
      outcomes.push(await within(run(u, new Request('GET', `${busy.url}/`))));
    }
    expect(outcomes[0]).toHaveProperty('error');
    expect(outcomes[1]).toEqual(outcomes[0]);
  });
});
