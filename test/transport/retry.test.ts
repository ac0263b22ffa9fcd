import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ParseError, parseMessages, Request } from '../../src/index.js';
import type { RawPeer, RawServer } from '../helpers/raw-peer.js';
import type { Transport } from '../../src/transport/transport.js';
import { ok, rejection, settles, useHarness, within } from './harness.js';

const h = useHarness();

/** requests(n) matches received bytes holding at least `n` complete requests. */
function requests(n: number): (received: Buffer) => boolean {
  return (received) => parseMessages('request', received).messages.length >= n;
}

/** bodiesOf returns the bodies of the requests in `received`, as text. */
function bodiesOf(received: Buffer): string[] {
  return parseMessages('request', received).messages.map((m) => Buffer.from(m.body).toString());
}

/**
 * closesAfterOne answers the first request on each connection with `first`
 * and, as a server whose keep-alive timeout fires just as the client sends,
 * closes the connection once the second request has arrived.
 */
function closesAfterOne(first: string) {
  return async (peer: RawPeer) => {
    await peer.waitFor(requests(1));
    await peer.write(ok(first));
    await peer.waitFor(requests(2)).catch(() => undefined);
    peer.destroy();
  };
}

describe('Transport retries on a connection the server closed', () => {
  it('does not reuse a connection on which a stale response arrived with the previous one (Go: readLoop peek)', async () => {
    let accepted = 0;
    const server = await h.raw(async (peer) => {
      const first = accepted++ === 0;
      await peer.waitFor(requests(1));
      await peer.write(
        first
          ? 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\noneHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale'
          : ok('fresh'),
      );
    });
    const t = h.transport();
    const url = `http://127.0.0.1:${server.port}/`;
    expect(await (await t.roundTrip(new Request('GET', url))).body!.text()).toBe('one');
    expect(await (await within(t.roundTrip(new Request('GET', url)))).body!.text()).toBe('fresh');
    expect(accepted).toBe(2);
  });

  it('sends the next request on a new connection when the server closed the idle one', async () => {
    const server = await h.raw(async (peer) => {
      await peer.waitFor(requests(1));
      await peer.end(ok('one')); // Content-Length framed, keep-alive, then FIN
    });
    const t = h.transport();
    const url = `http://127.0.0.1:${server.port}/`;
    expect(await (await t.roundTrip(new Request('GET', url))).body!.text()).toBe('one');
    const first = await server.nextPeer();
    await first.clientEnded(); // the transport saw the FIN while idle and closed its side
    expect(await (await within(t.roundTrip(new Request('GET', url)))).body!.text()).toBe('one');
    await server.nextPeer();
  });

  it('closes an idle connection on which bytes arrive unasked (Go: unsolicited response on idle channel)', async () => {
    let accepted = 0;
    const server = await h.raw(async (peer) => {
      await peer.waitFor(requests(1));
      await peer.write(ok('one'));
      if (++accepted > 1) return;
      await new Promise((resolve) => setTimeout(resolve, 50)); // the conn is idle by then
      await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale');
    });
    const t = h.transport();
    const url = `http://127.0.0.1:${server.port}/`;
    expect(await (await t.roundTrip(new Request('GET', url))).body!.text()).toBe('one');
    const first = await server.nextPeer();
    await within(first.clientEnded());
    expect(await (await t.roundTrip(new Request('GET', url))).body!.text()).toBe('one');
  });

  it('retries a GET when a reused connection closes before any response byte (Go: errServerClosedIdle)', async () => {
    const server = await h.raw(closesAfterOne('fresh'));
    const t = h.transport();
    const url = `http://127.0.0.1:${server.port}/`;
    expect(await (await t.roundTrip(new Request('GET', url))).body!.text()).toBe('fresh');
    const req = new Request('GET', url);
    const res = await within(t.roundTrip(req));
    expect(res.request).toBe(req);
    expect(await res.body!.text()).toBe('fresh');
    const first = await server.nextPeer();
    const second = await server.nextPeer();
    expect(parseMessages('request', first.received()).messages).toHaveLength(2);
    expect(parseMessages('request', second.received()).messages).toHaveLength(1);
  });

  it('replays a PUT body given as a string on the new connection', async () => {
    const server = await h.raw(closesAfterOne('stored'));
    const t = h.transport();
    const url = `http://127.0.0.1:${server.port}/doc`;
    await (await t.roundTrip(new Request('GET', url))).body!.text();
    const res = await within(t.roundTrip(new Request('PUT', url, { body: 'the document' })));
    expect(await res.body!.text()).toBe('stored');
    const [, second] = [await server.nextPeer(), await server.nextPeer()];
    expect(bodiesOf(second.received())).toEqual(['the document']);
  });

  it('replays a POST with an Idempotency-Key (go#19943)', async () => {
    const server = await h.raw(closesAfterOne('done'));
    const t = h.transport();
    const url = `http://127.0.0.1:${server.port}/pay`;
    await (await t.roundTrip(new Request('GET', url))).body!.text();
    const post = new Request('POST', url, {
      body: new TextEncoder().encode('amount=1'),
      header: { 'Idempotency-Key': 'k1' },
    });
    expect(await (await within(t.roundTrip(post))).body!.text()).toBe('done');
    const [, second] = [await server.nextPeer(), await server.nextPeer()];
    expect(bodiesOf(second.received())).toEqual(['amount=1']);
  });

  it('does not retry a POST: it fails with ERR_SERVER_CLOSED_IDLE', async () => {
    let accepted = 0;
    const server = await h.raw(async (peer) => {
      accepted++;
      await closesAfterOne('x')(peer);
    });
    const t = h.transport();
    const url = `http://127.0.0.1:${server.port}/`;
    await (await t.roundTrip(new Request('GET', url))).body!.text();
    const err = await rejection(t.roundTrip(new Request('POST', url, { body: 'once' })));
    expect(err).toMatchObject({ name: 'ProtocolError', code: 'ERR_SERVER_CLOSED_IDLE' });
    expect(accepted).toBe(1);
  });

  it('does not retry a PUT whose body is a stream', async () => {
    let accepted = 0;
    const server = await h.raw(async (peer) => {
      accepted++;
      await closesAfterOne('x')(peer);
    });
    const t = h.transport();
    const url = `http://127.0.0.1:${server.port}/`;
    await (await t.roundTrip(new Request('GET', url))).body!.text();
    const body = Readable.from([Buffer.from('streamed')]);
    const err = await rejection(t.roundTrip(new Request('PUT', url, { body })));
    expect(err).toMatchObject({ code: 'ERR_SERVER_CLOSED_IDLE' });
    expect(accepted).toBe(1);
  });

  it('does not retry on a new connection: ERR_NO_RESPONSE', async () => {
    let accepted = 0;
    const server = await h.raw(async (peer) => {
      accepted++;
      await peer.waitFor(requests(1));
      peer.destroy();
    });
    const t = h.transport();
    const err = await rejection(
      t.roundTrip(new Request('GET', `http://127.0.0.1:${server.port}/`)),
    );
    expect(err).toMatchObject({ code: 'ERR_NO_RESPONSE' });
    expect(accepted).toBe(1);
  });

  it('does not retry once a response byte arrived: the ParseError comes through', async () => {
    let accepted = 0;
    const server = await h.raw(async (peer) => {
      accepted++;
      await peer.waitFor(requests(1));
      await peer.write(ok('one'));
      await peer.waitFor(requests(2));
      await peer.write('HTTP/1.1 200 OK\r\nContent-Le');
      peer.destroy();
    });
    const t = h.transport();
    const url = `http://127.0.0.1:${server.port}/`;
    await (await t.roundTrip(new Request('GET', url))).body!.text();
    const err = await rejection(t.roundTrip(new Request('GET', url)));
    expect(err).toBeInstanceOf(ParseError);
    expect(err).toMatchObject({ code: 'HPE_INVALID_EOF_STATE' });
    expect(accepted).toBe(1);
  });

  it('gives up when the retry on a freshly dialed connection fails too', async () => {
    let accepted = 0;
    const server = await h.raw(async (peer) => {
      accepted++;
      if (accepted === 1) return closesAfterOne('x')(peer);
      await peer.waitFor(requests(1));
      peer.destroy(); // the fresh connection fails too
    });
    const t = h.transport();
    const url = `http://127.0.0.1:${server.port}/`;
    await (await t.roundTrip(new Request('GET', url))).body!.text();
    const err = await rejection(t.roundTrip(new Request('GET', url)));
    expect(err).toMatchObject({ code: 'ERR_NO_RESPONSE' });
    expect(await settles(() => accepted === 2)).toBe(true);
  });
});

/**
 * staleServer is a server whose connection number i (from 0) answers its
 * first request with `ok(String(i))` and, as a load balancer whose idle
 * timeout fires as the next request arrives, closes once a second one came.
 */
async function staleServer() {
  let accepted = 0;
  const server = await h.raw(async (peer) => {
    const n = accepted++;
    await closesAfterOne(String(n))(peer);
  });
  return { server, accepted: () => accepted };
}

/** warm fills the pool of `t` with `n` idle connections to `url`, dialing `n` at once. */
async function warm(t: Transport, url: string, n: number): Promise<void> {
  const warming = Array.from({ length: n }, () => t.roundTrip(new Request('GET', url)));
  for (const res of await Promise.all(warming)) await res.body!.text();
}

/** requestsOn counts, per connection in accept order, the requests it received. */
async function requestsOn(server: RawServer, connections: number): Promise<number[]> {
  const counts: number[] = [];
  for (let i = 0; i < connections; i++) {
    counts.push(parseMessages('request', (await server.nextPeer()).received()).messages.length);
  }
  return counts;
}

describe('Transport retries past every stale connection in the pool (issue 11 §6)', () => {
  for (const stale of [1, 2, 8]) {
    it(`answers a GET with ${stale} stale connection(s) pooled: each is tried once, then a new one (Go's roundTrip loop)`, async () => {
      const { server, accepted } = await staleServer();
      const t = h.transport({ maxIdleConnsPerHost: 8 });
      const url = `http://127.0.0.1:${server.port}/`;
      await warm(t, url, stale);
      expect(accepted()).toBe(stale);
      const req = new Request('GET', url);
      const res = await within(t.roundTrip(req));
      expect(res.request).toBe(req);
      expect(await res.body!.text()).toBe(String(stale)); // the fresh connection's answer
      expect(accepted()).toBe(stale + 1);
      expect(await requestsOn(server, stale + 1)).toEqual([...Array(stale).fill(2), 1]);
    });

    it(`sends a POST with a streamed body once with ${stale} stale connection(s) pooled: ERR_SERVER_CLOSED_IDLE`, async () => {
      const { server, accepted } = await staleServer();
      const t = h.transport({ maxIdleConnsPerHost: 8 });
      const url = `http://127.0.0.1:${server.port}/`;
      await warm(t, url, stale);
      const body = Readable.from([Buffer.from('pay once')]);
      const err = await rejection(t.roundTrip(new Request('POST', url, { body })));
      expect(err).toMatchObject({ code: 'ERR_SERVER_CLOSED_IDLE' });
      expect(accepted()).toBe(stale);
      const posts = [];
      for (let i = 0; i < stale; i++) {
        const received = (await server.nextPeer()).received();
        posts.push(
          ...parseMessages('request', received).messages.filter((m) => m.method === 'POST'),
        );
      }
      expect(posts).toHaveLength(1);
    });
  }

  it('replays a PUT body on each try until a connection answers', async () => {
    const { server } = await staleServer();
    const t = h.transport({ maxIdleConnsPerHost: 8 });
    const url = `http://127.0.0.1:${server.port}/doc`;
    await warm(t, url, 3);
    const res = await within(t.roundTrip(new Request('PUT', url, { body: 'the document' })));
    expect(await res.body!.text()).toBe('3');
    const bodies: string[][] = [];
    for (let i = 0; i < 4; i++) bodies.push(bodiesOf((await server.nextPeer()).received()));
    const tried = ['', 'the document'];
    expect(bodies).toEqual([tried, tried, tried, ['the document']]);
  });
});
