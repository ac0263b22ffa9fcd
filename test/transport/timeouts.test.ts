import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { parseMessages, Request } from '../../src/index.js';
import { ok, rejection, useHarness, within } from './harness.js';

const h = useHarness();

function requests(n: number): (received: Buffer) => boolean {
  return (received) => parseMessages('request', received).messages.length >= n;
}

describe('Transport timeouts', () => {
  it('fails with ERR_RESPONSE_HEADER_TIMEOUT when no head comes after the request, and closes the conn', async () => {
    const server = await h.raw(async (peer) => {
      await peer.waitFor(requests(1));
    });
    const t = h.transport({ responseHeaderTimeout: 40 });
    const started = Date.now();
    const err = await rejection(
      t.roundTrip(new Request('GET', `http://127.0.0.1:${server.port}/`)),
    );
    expect(err).toMatchObject({ name: 'ProtocolError', code: 'ERR_RESPONSE_HEADER_TIMEOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    await within((await server.nextPeer()).clientEnded());
  });

  it('does not apply responseHeaderTimeout to the body', async () => {
    const server = await h.raw(async (peer) => {
      await peer.waitFor(requests(1));
      await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nsl');
      await sleep(80);
      await peer.write('ow');
    });
    const t = h.transport({ responseHeaderTimeout: 40 });
    const res = await t.roundTrip(new Request('GET', `http://127.0.0.1:${server.port}/`));
    expect(await res.body!.text()).toBe('slow');
  });

  it('does not start responseHeaderTimeout when the head came before the request was written', async () => {
    const server = await h.raw(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\near');
      await sleep(100);
      await peer.write('ly');
    });
    const t = h.transport({ responseHeaderTimeout: 20 });
    async function* slowBody() {
      yield Buffer.from('a');
      await sleep(30);
      yield Buffer.from('b');
    }
    const req = new Request('PUT', `http://127.0.0.1:${server.port}/`, { body: slowBody() });
    const res = await t.roundTrip(req);
    expect(await res.body!.text()).toBe('early');
  });

  it('fails with ERR_DIAL_TIMEOUT when the TLS handshake does not finish within dialTimeout', async () => {
    const server = await h.raw(); // accepts, never answers the ClientHello
    const t = h.transport({ dialTimeout: 40 });
    const err = await rejection(
      t.roundTrip(new Request('GET', `https://127.0.0.1:${server.port}/`)),
    );
    expect(err).toMatchObject({ code: 'ERR_DIAL_TIMEOUT' });
    await within((await server.nextPeer()).clientEnded());
  });

  it('fails with ERR_DIAL, the system error as cause, when the connection is refused', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const t = h.transport();
    const err = await rejection(t.roundTrip(new Request('GET', `http://127.0.0.1:${port}/`)));
    expect(err).toMatchObject({ code: 'ERR_DIAL', cause: { code: 'ECONNREFUSED' } });
  });
});

describe('Transport with an AbortSignal', () => {
  it('rejects at once with ERR_ABORTED when the signal was already aborted', async () => {
    let accepted = 0;
    const server = await h.raw(() => {
      accepted++;
    });
    const t = h.transport();
    const signal = AbortSignal.abort(new Error('gone'));
    const err = await rejection(
      t.roundTrip(new Request('GET', `http://127.0.0.1:${server.port}/`), { signal }),
    );
    expect(err).toMatchObject({ code: 'ERR_ABORTED', cause: { message: 'gone' } });
    await sleep(20);
    expect(accepted).toBe(0);
  });

  it('aborts the dial during the TLS handshake', async () => {
    const server = await h.raw();
    const t = h.transport();
    const controller = new AbortController();
    const pending = rejection(
      t.roundTrip(new Request('GET', `https://127.0.0.1:${server.port}/`), {
        signal: controller.signal,
      }),
    );
    const peer = await server.nextPeer();
    await peer.waitFor((received) => received.length > 0); // the ClientHello
    controller.abort('stop');
    expect(await within(pending)).toMatchObject({ code: 'ERR_ABORTED', cause: 'stop' });
    await within(peer.clientEnded());
  });

  it('aborts the wait for the response head and closes the conn', async () => {
    const server = await h.raw(async (peer) => {
      await peer.waitFor(requests(1));
    });
    const t = h.transport();
    const controller = new AbortController();
    const pending = rejection(
      t.roundTrip(new Request('GET', `http://127.0.0.1:${server.port}/`), {
        signal: controller.signal,
      }),
    );
    const peer = await server.nextPeer();
    await peer.waitFor(requests(1));
    controller.abort();
    expect(await within(pending)).toMatchObject({ code: 'ERR_ABORTED' });
    await within(peer.clientEnded());
  });

  it('aborts a body mid-stream: the body errors with ERR_ABORTED and the conn closes', async () => {
    const server = await h.raw(async (peer) => {
      await peer.waitFor(requests(1));
      await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst');
    });
    const t = h.transport();
    const controller = new AbortController();
    const res = await t.roundTrip(new Request('GET', `http://127.0.0.1:${server.port}/`), {
      signal: controller.signal,
    });
    const it = res.body![Symbol.asyncIterator]();
    expect(Buffer.from((await it.next()).value as Uint8Array).toString()).toBe('first');
    const reason = new Error('user left');
    controller.abort(reason);
    const err = await rejection(it.next());
    expect(err).toMatchObject({ code: 'ERR_ABORTED', cause: reason });
    await within((await server.nextPeer()).clientEnded());
  });

  it('leaves the conn pooled when the signal aborts after the body ended', async () => {
    const server = await h.raw(async (peer) => {
      await peer.waitFor(requests(1));
      await peer.write(ok('one'));
      await peer.waitFor(requests(2));
      await peer.write(ok('two'));
    });
    const t = h.transport();
    const controller = new AbortController();
    const url = `http://127.0.0.1:${server.port}/`;
    const first = await t.roundTrip(new Request('GET', url), { signal: controller.signal });
    expect(await first.body!.text()).toBe('one');
    controller.abort();
    expect(await (await within(t.roundTrip(new Request('GET', url)))).body!.text()).toBe('two');
  });

  it('aborts a request waiting for a connection slot', async () => {
    let accepted = 0;
    const server = await h.raw(async (peer) => {
      accepted++;
      await peer.waitFor(requests(1));
      await sleep(50);
      await peer.write(ok('x'));
    });
    const t = h.transport({ maxConnsPerHost: 1 });
    const url = `http://127.0.0.1:${server.port}/`;
    const first = t.roundTrip(new Request('GET', url));
    const controller = new AbortController();
    const second = rejection(t.roundTrip(new Request('GET', url), { signal: controller.signal }));
    await server.nextPeer();
    controller.abort();
    expect(await within(second)).toMatchObject({ code: 'ERR_ABORTED' });
    expect(await (await first).body!.text()).toBe('x');
    expect(accepted).toBe(1);
  });
});
