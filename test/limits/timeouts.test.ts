import { afterEach, describe, expect, it } from 'vitest';
import { endingOf } from '../helpers/closing.js';
import { responsesIn } from '../helpers/responses.js';
import { started } from '../helpers/started.js';
import { within } from '../helpers/waiting.js';
import { cleanup, rawClient } from '../server/harness.js';

afterEach(cleanup);

const never = () => {
  throw new Error('the handler must not run');
};

describe('Server timeouts close the connection cleanly', () => {
  it('answers a head still incomplete after headerTimeout with 408, then a FIN', async () => {
    const { client, served } = await rawClient(never, { headerTimeout: 200 });
    const ending = endingOf(client.socket);
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n'); // never finished
    expect(await ending).toBe('fin');
    const [res] = responsesIn(client.received());
    expect(res!.status).toBe(408);
    expect(res!.field('Connection')).toBe('close');
    await within(served, 1000); // the server let go of the connection
  });

  it('closes a connection that sends nothing within headerTimeout, with a FIN and no answer', async () => {
    const { client, served } = await rawClient(never, { headerTimeout: 150 });
    expect(await endingOf(client.socket)).toBe('fin');
    expect(client.received().length).toBe(0);
    await within(served, 1000);
  });

  it('closes a kept-alive connection after idleTimeout with a FIN and nothing written', async () => {
    const { client, served } = await rawClient(async (rw) => rw.write('hi'), { idleTimeout: 150 });
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await client.waitFor('hi');
    const answered = client.received().length;
    expect(await endingOf(client.socket)).toBe('fin');
    expect(client.received().length).toBe(answered);
    await within(served, 1000);
  });

  it('ends a connection whose request body stalls past bodyTimeout, failing the handler read with ERR_BODY_TIMEOUT', async () => {
    let error: unknown = null;
    const s = started(async (_rw, req) => {
      error = await req.body!.text().catch((err: unknown) => err);
    });
    const { client, served, logs } = await rawClient(s.handler, { bodyTimeout: 200 });
    const ending = endingOf(client.socket);
    await client.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc');
    await s.running;
    // The handler may be part way through an answer: the connection is cut, not answered.
    expect(await ending).not.toBe('open');
    await within(served, 1000);
    expect(error).toMatchObject({ code: 'ERR_BODY_TIMEOUT' });
    expect(client.received().length).toBe(0);
    expect(logs).toEqual([expect.stringContaining('timed out')]);
  });
});
