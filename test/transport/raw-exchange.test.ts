/**
 * The Transport's raw exchange (src/transport/raw-exchange.ts), against
 * scripted raw servers: roundTrip on a warm connection reads a plain
 * answer without a ClientConn (its body is no TransportBody), sending the
 * bytes the general path sends; every other answer is handed to a
 * ClientConn from its first byte; the retry rules on a stale connection;
 * no reuse after a bad answer; an abort.
 */
import { channel } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { ParseError, parseMessages, Request, Response, wireFacts } from '../../src/index.js';
import { ProtocolError } from '../../src/errors.js';
import type { RawPeer } from '../helpers/raw-peer.js';
import type { RoundTripOptions } from '../../src/transport/round-tripper.js';
import { TransportBody } from '../../src/transport/response-body.js';
import type { Transport } from '../../src/transport/transport.js';
import { ok, useHarness, within } from './harness.js';

const h = useHarness();

type Outcome =
  { kind: 'raw' | 'general'; res: Response; body: string } | { kind: 'error'; err: unknown };

/** send round-trips `req` and tells which path read the answer (a TransportBody: the general one). */
async function send(t: Transport, req: Request, options: RoundTripOptions = {}): Promise<Outcome> {
  try {
    const res = await within(t.roundTrip(req, options));
    const kind = res.body instanceof TransportBody ? 'general' : 'raw';
    return { kind, res, body: await res.body!.text() };
  } catch (err) {
    return { kind: 'error', err };
  }
}

/** requests(n) matches received bytes holding at least `n` complete requests. */
function requests(n: number): (received: Buffer) => boolean {
  return (received) => parseMessages('request', received).messages.length >= n;
}

/** answers serves one connection: the i-th request gets `replies[i]` (null: close without a word). */
function answers(...replies: (string | null)[]) {
  return async (peer: RawPeer) => {
    for (let i = 0; i < replies.length; i++) {
      await peer.waitFor(requests(i + 1));
      const reply = replies[i]!;
      if (reply === null) {
        peer.destroy();
        return;
      }
      await peer.write(reply);
    }
  };
}

/** counting serves every connection with `script` and counts them. */
function counting(script: (peer: RawPeer) => Promise<void>) {
  const counted = { accepted: 0, script: (peer: RawPeer) => (counted.accepted++, script(peer)) };
  return counted;
}

/** warm returns a Transport with one idle connection to `port`, made by a roundTrip answered `one`. */
async function warm(port: number, options = {}): Promise<Transport> {
  const t = h.transport(options);
  const res = await t.roundTrip(new Request('GET', `http://127.0.0.1:${port}/warm`));
  expect(await res.body!.text()).toBe('one');
  return t;
}

describe('Transport raw exchange', () => {
  it('reads a plain answer on a warm connection, sending the bytes the general path sends', async () => {
    const server = await h.raw(answers(ok('one'), ok('two'), ok('three')));
    const t = await warm(server.port);
    const get = () => new Request('GET', `http://127.0.0.1:${server.port}/warm`);
    const second = await send(t, get());
    expect(second).toMatchObject({ kind: 'raw', body: 'two' });
    expect((second as { res: Response }).res.status).toBe(200);
    const third = await send(t, get()); // the connection went back to the pool
    expect(third).toMatchObject({ kind: 'raw', body: 'three' });
    const peer = await server.nextPeer();
    const received = peer.received();
    expect(parseMessages('request', received).messages).toHaveLength(3);
    // The first went out on the general path (a new connection): the three are the same bytes.
    const one = received.subarray(0, received.length / 3).toString('latin1');
    expect(received.toString('latin1')).toBe(one.repeat(3));
  });

  it('leaves to the general path what it does not take', async () => {
    // Connections warmed for a variant are closed with one request answered: not a script error.
    const backend = counting((peer) => answers(ok('one'), ok('two'))(peer).catch(() => undefined));
    const server = await h.raw(backend.script);
    const url = `http://127.0.0.1:${server.port}/`;
    const variants = [
      { maxConnsPerHost: 4 },
      { responseHeaderTimeout: 1000 },
      { proxy: `http://127.0.0.1:${server.port}` },
      { connOptions: { readTimeout: 1000 } },
      { connOptions: { maxBodyBytes: 10 } },
    ];
    for (const options of variants) {
      const warmed = await warm(server.port, options); // an idle connection, and an option the raw reader lacks
      const outcome = await send(warmed, new Request('GET', url));
      expect(outcome, JSON.stringify(options)).toMatchObject({ kind: 'general', body: 'two' });
    }
    const posted = await send(await warm(server.port), new Request('POST', url, { body: 'x' }));
    expect(posted).toMatchObject({ kind: 'general', body: 'two' });
    const observed = await warm(server.port);
    const observer = () => undefined;
    channel('httpwire:client:request').subscribe(observer);
    try {
      expect(await send(observed, new Request('GET', url))).toMatchObject({ kind: 'general' });
    } finally {
      channel('httpwire:client:request').unsubscribe(observer);
    }
    expect(backend.accepted).toBe(variants.length + 2);
  });

  /** `streams`: an answer that is not whole with a known length, after which the ClientConn stays. */
  const others: {
    name: string;
    reply: string;
    method?: string;
    body: string;
    infos?: number;
    streams?: true;
  }[] = [
    {
      name: 'chunked',
      reply: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      body: 'abc',
      streams: true,
    },
    {
      name: 'a 103 first',
      reply: 'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n' + ok('hinted'),
      body: 'hinted',
      infos: 1,
    },
    {
      name: 'larger than bodyHighWaterMark',
      reply: ok('z'.repeat(70_000)),
      body: 'z'.repeat(70_000),
      streams: true,
    },
    {
      name: 'a HEAD answer',
      reply: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n',
      method: 'HEAD',
      body: '',
    },
    { name: 'a 204', reply: 'HTTP/1.1 204 No Content\r\n\r\n', body: '' },
  ];
  for (const c of others) {
    it(`hands ${c.name} to a ClientConn from its first byte, which reads the next answer too`, async () => {
      const backend = counting(answers(ok('one'), c.reply, ok('after'), ok('again')));
      const server = await h.raw(backend.script);
      const t = await warm(server.port);
      const infos: number[] = [];
      const onInformational = (res: Response) => void infos.push(res.status);
      const req = new Request(c.method ?? 'GET', `http://127.0.0.1:${server.port}/x`);
      expect(await send(t, req, { onInformational })).toMatchObject({
        kind: 'general',
        body: c.body,
      });
      expect(infos).toHaveLength(c.infos ?? 0);
      // After a streamed answer the connection keeps that ClientConn for the next request
      // (no new one per answer); after a whole one of known length, and after an answer
      // it could have taken, the raw exchange reads again.
      const url = `http://127.0.0.1:${server.port}/`;
      expect(await send(t, new Request('GET', url))).toMatchObject({
        kind: c.streams ? 'general' : 'raw',
        body: 'after',
      });
      expect(await send(t, new Request('GET', url))).toMatchObject({ kind: 'raw', body: 'again' });
      expect(backend.accepted).toBe(1);
    });
  }

  it('hands an answer whose body comes after its head to a ClientConn, streaming', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const server = await h.raw(async (peer) => {
      await answers(ok('one'))(peer);
      await peer.waitFor(requests(2));
      await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe');
      await held;
      await peer.write('llo');
    });
    const t = await warm(server.port);
    const res = await within(t.roundTrip(new Request('GET', `http://127.0.0.1:${server.port}/`)));
    expect(res.body).toBeInstanceOf(TransportBody); // resolved at the head, as the general path does
    release();
    expect(await res.body!.text()).toBe('hello');
  });

  it('refuses a bare 101 as the general path does', async () => {
    const server = await h.raw(answers(ok('one'), 'HTTP/1.1 101 Switching Protocols\r\n\r\n'));
    const t = await warm(server.port);
    const outcome = await send(t, new Request('GET', `http://127.0.0.1:${server.port}/`));
    expect(outcome.kind).toBe('error');
    const err = (outcome as { err: ProtocolError }).err;
    expect(err.code).toBe('ERR_UNEXPECTED_SWITCH');
    expect(wireFacts(err)).toEqual({ requestWritten: true, responseStarted: true });
  });

  it('retries a GET whose reused connection closed before a byte of its answer, never a POST', async () => {
    let accepted = 0;
    const server = await h.raw((peer) => {
      const script = accepted++ % 2 === 0 ? answers(ok('one'), null) : answers(ok('fresh'));
      return script(peer);
    });
    const url = `http://127.0.0.1:${server.port}/`;
    const retried = await send(await warm(server.port), new Request('GET', url));
    expect(retried).toMatchObject({ body: 'fresh' });
    expect(accepted).toBe(2);

    const refused = await send(await warm(server.port), new Request('POST', url));
    expect(refused.kind).toBe('error');
    const err = (refused as { err: ProtocolError }).err;
    expect(err.code).toBe('ERR_SERVER_CLOSED_IDLE');
    expect(wireFacts(err)).toEqual({ requestWritten: true, responseStarted: false });
    expect(accepted).toBe(3); // the POST was sent once
  });

  it('does not reuse a connection after bytes that followed the answer, or after a malformed one', async () => {
    // Connections 0 and 2 are warmed and then answer badly; 1 and 3 are the fresh ones after.
    const bad = [ok('two') + 'HTTP/1.1 200 OK\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n'];
    const backend = counting(async (peer) => {
      const n = backend.accepted - 1;
      await (n % 2 === 0 ? answers(ok('one'), bad[n / 2]!) : answers(ok('fresh')))(peer);
    });
    const server = await h.raw(backend.script);
    const url = `http://127.0.0.1:${server.port}/`;
    const t1 = await warm(server.port);
    expect(await send(t1, new Request('GET', url))).toMatchObject({ kind: 'raw', body: 'two' });
    expect(await send(t1, new Request('GET', url))).toMatchObject({ body: 'fresh' });
    expect(backend.accepted).toBe(2); // a new connection

    const t2 = await warm(server.port);
    const malformed = await send(t2, new Request('GET', url));
    expect((malformed as { err: unknown }).err).toBeInstanceOf(ParseError);
    expect(await send(t2, new Request('GET', url))).toMatchObject({ body: 'fresh' });
    expect(backend.accepted).toBe(4);
  });

  it('fails with ERR_ABORTED and closes the connection when the request is aborted', async () => {
    let closed!: Promise<void>;
    const server = await h.raw(async (peer) => {
      closed = peer.clientEnded();
      await answers(ok('one'))(peer);
      await peer.waitFor(requests(2)); // and never answers
    });
    const t = await warm(server.port);
    const controller = new AbortController();
    const outcome = send(t, new Request('GET', `http://127.0.0.1:${server.port}/`), {
      signal: controller.signal,
    });
    await (await server.nextPeer()).waitFor(requests(2));
    controller.abort(new Error('client left'));
    const ended = await outcome;
    const err = (ended as { err: ProtocolError }).err;
    expect(err.code).toBe('ERR_ABORTED');
    expect(wireFacts(err)).toEqual({ requestWritten: true, responseStarted: false }); // as the general path records it
    await within(closed);
  });
});
