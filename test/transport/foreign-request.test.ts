import { describe, expect, it } from 'vitest';
import type { Request } from '../../src/index.js';
import { rejection, useHarness } from './harness.js';

const h = useHarness();

describe('Transport with a request from another library', () => {
  it('rejects a fetch Request with a TypeError naming httpwire Request, without dialing', async () => {
    let accepted = 0;
    const server = await h.raw(() => {
      accepted++;
    });
    const t = h.transport();
    const foreign = new globalThis.Request(`http://127.0.0.1:${server.port}/`);
    const err = await rejection(t.roundTrip(foreign as unknown as Request));
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toContain('Transport.roundTrip');
    expect((err as Error).message).toContain("import { Request } from 'httpwire'");
    expect(accepted).toBe(0);
  });
});
