import { describe, expect, it } from 'vitest';
import { Request } from '../../src/index.js';
import { rejection, settles, useHarness, within } from './harness.js';

const h = useHarness();

function get(url: string, init?: ConstructorParameters<typeof Request>[2]): Request {
  return new Request('GET', url, init);
}

describe('Transport connection pool', () => {
  it('reuses one connection for sequential requests', async () => {
    const server = await h.http((req, res) => res.end(`hello ${req.url}`));
    const t = h.transport();
    for (let i = 0; i < 5; i++) {
      const req = get(`${server.url}/n/${i}`);
      const res = await t.roundTrip(req);
      expect(res.status).toBe(200);
      expect(res.request).toBe(req);
      expect(await res.body!.text()).toBe(`hello /n/${i}`);
    }
    expect(server.sockets).toHaveLength(1);
  });

  it('keeps one pool per origin when requests alternate between two servers', async () => {
    const a = await h.http((req, res) => res.end(`a ${req.url}`));
    const b = await h.http((req, res) => res.end(`b ${req.url}`));
    const t = h.transport();
    for (let i = 0; i < 3; i++) {
      for (const [server, name] of [
        [a, 'a'],
        [b, 'b'],
      ] as const) {
        const res = await t.roundTrip(get(`${server.url}/${i}`));
        expect(await res.body!.text()).toBe(`${name} /${i}`);
      }
    }
    expect(a.sockets).toHaveLength(1);
    expect(b.sockets).toHaveLength(1);
  });

  it('opens a connection per concurrent request', async () => {
    let waiting: (() => void)[] = [];
    const server = await h.http((_req, res) => {
      waiting.push(() => res.end('x'));
      if (waiting.length === 4) for (const answer of waiting.splice(0)) answer();
    });
    const t = h.transport({ maxIdleConnsPerHost: 4 });
    const responses = await within(
      Promise.all(Array.from({ length: 4 }, () => t.roundTrip(get(server.url)))),
    );
    for (const res of responses) expect(await res.body!.text()).toBe('x');
    expect(server.sockets).toHaveLength(4);
    waiting = [];
    const again = await Promise.all(
      Array.from({ length: 4 }, () => t.roundTrip(get(server.url)).then((r) => r.body!.text())),
    );
    expect(again).toEqual(['x', 'x', 'x', 'x']);
    expect(server.sockets).toHaveLength(4); // the second round reused all four
  });

  it('keeps at most maxIdleConnsPerHost idle connections (2 by default, as Go)', async () => {
    const pending: (() => void)[] = [];
    const server = await h.http((_req, res) => {
      pending.push(() => res.end('x'));
      if (pending.length === 4) for (const answer of pending.splice(0)) answer();
    });
    const t = h.transport();
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => t.roundTrip(get(server.url))),
    );
    for (const res of responses) await res.body!.text();
    expect(await settles(() => server.open() === 2)).toBe(true);
  });

  it('waits for a free connection under maxConnsPerHost', async () => {
    let active = 0;
    let peak = 0;
    const server = await h.http((_req, res) => {
      peak = Math.max(peak, ++active);
      setTimeout(() => {
        active--;
        res.end('x');
      }, 5);
    });
    const t = h.transport({ maxConnsPerHost: 1 });
    const bodies = await within(
      Promise.all(
        Array.from({ length: 3 }, () => t.roundTrip(get(server.url)).then((r) => r.body!.text())),
      ),
    );
    expect(bodies).toEqual(['x', 'x', 'x']);
    expect(peak).toBe(1);
    expect(server.sockets).toHaveLength(1);
  });

  it('closes idle connections after idleTimeout', async () => {
    const server = await h.http((_req, res) => res.end('x'));
    const t = h.transport({ idleTimeout: 30 });
    await (await t.roundTrip(get(server.url))).body!.text();
    expect(server.open()).toBe(1);
    expect(await settles(() => server.open() === 0)).toBe(true);
    await (await t.roundTrip(get(server.url))).body!.text();
    expect(server.sockets).toHaveLength(2);
  });

  it('frees the connection after HEAD and 204 responses, which have no body', async () => {
    const server = await h.http((req, res) => {
      if (req.method === 'HEAD') {
        res.setHeader('Content-Length', '1000');
        res.end();
      } else if (req.url === '/empty') {
        res.statusCode = 204;
        res.end();
      } else {
        res.end('after');
      }
    });
    const t = h.transport();
    const head = await t.roundTrip(new Request('HEAD', server.url));
    expect(head.contentLength).toBe(1000);
    const empty = await t.roundTrip(get(`${server.url}/empty`));
    expect(empty.status).toBe(204);
    expect(await empty.body!.text()).toBe('');
    expect(await (await t.roundTrip(get(server.url))).body!.text()).toBe('after');
    expect(server.sockets).toHaveLength(1);
  });

  it('does not let an unread small body pin its connection', async () => {
    const server = await h.http((_req, res) => res.end('small body'));
    const t = h.transport();
    const first = await t.roundTrip(get(server.url));
    const second = await within(t.roundTrip(get(server.url)));
    expect(await second.body!.text()).toBe('small body');
    expect(server.sockets).toHaveLength(1); // read off the wire: the conn went back to the pool
    expect(await first.body!.text()).toBe('small body');
  });

  it('closes the connection of a large body dumped before its end', async () => {
    const big = Buffer.alloc(1 << 20, 0x61);
    const server = await h.http((req, res) => res.end(req.url === '/big' ? big : 'next'));
    const t = h.transport();
    const res = await t.roundTrip(get(`${server.url}/big`));
    await within(res.body!.dump());
    expect(await settles(() => server.open() === 0)).toBe(true);
    expect(await (await t.roundTrip(get(server.url))).body!.text()).toBe('next');
    expect(server.sockets).toHaveLength(2);
  });

  it('closes the connection when the consumer breaks out of a large body', async () => {
    const big = Buffer.alloc(1 << 20, 0x61);
    const server = await h.http((_req, res) => res.end(big));
    const t = h.transport();
    const res = await t.roundTrip(get(server.url));
    for await (const chunk of res.body!) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    expect(await settles(() => server.open() === 0)).toBe(true);
  });

  it('closes the connection of a large body whose Response was garbage collected', async () => {
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const big = Buffer.alloc(1 << 20, 0x61);
    const server = await h.http((_req, res) => res.end(big));
    const t = h.transport();
    await (async () => {
      const res = await t.roundTrip(get(server.url));
      expect(res.status).toBe(200);
    })();
    const closed = await settles(() => {
      gc();
      return server.open() === 0;
    }, 5000);
    expect(closed).toBe(true);
  });

  it('does not reuse a connection after a Connection: close response', async () => {
    const server = await h.http((_req, res) => {
      res.setHeader('Connection', 'close');
      res.end('bye');
    });
    const t = h.transport();
    for (let i = 0; i < 2; i++) {
      const res = await t.roundTrip(get(server.url));
      expect(res.close).toBe(true);
      expect(await res.body!.text()).toBe('bye');
    }
    expect(server.sockets).toHaveLength(2);
  });

  it('does not reuse a connection after a request with close set', async () => {
    const server = await h.http((_req, res) => res.end('x'));
    const t = h.transport();
    await (await t.roundTrip(get(server.url, { close: true }))).body!.text();
    await (await t.roundTrip(get(server.url))).body!.text();
    expect(server.sockets).toHaveLength(2);
  });

  it('close() closes idle connections and refuses new round trips with ERR_TRANSPORT_CLOSED', async () => {
    const server = await h.http((_req, res) => res.end('x'));
    const t = h.transport();
    await (await t.roundTrip(get(server.url))).body!.text();
    expect(server.open()).toBe(1);
    t.close();
    expect(await settles(() => server.open() === 0)).toBe(true);
    const err = await rejection(t.roundTrip(get(server.url)));
    expect(err).toMatchObject({ name: 'ProtocolError', code: 'ERR_TRANSPORT_CLOSED' });
    expect(server.sockets).toHaveLength(1);
  });

  it('close() lets an exchange in flight finish, then closes its connection', async () => {
    let answerWith: (answer: (body: string) => void) => void = () => undefined;
    const arrived = new Promise<(body: string) => void>((resolve) => (answerWith = resolve));
    const server = await h.http((_req, res) => answerWith((body) => res.end(body)));
    const t = h.transport();
    const pending = t.roundTrip(get(server.url));
    const answer = await within(arrived);
    t.close();
    answer('late');
    expect(await (await within(pending)).body!.text()).toBe('late');
    expect(await settles(() => server.open() === 0)).toBe(true);
  });

  it('close() rejects requests waiting for a connection slot', async () => {
    let answerWith: (answer: (body: string) => void) => void = () => undefined;
    const arrived = new Promise<(body: string) => void>((resolve) => (answerWith = resolve));
    const server = await h.http((_req, res) => answerWith((body) => res.end(body)));
    const t = h.transport({ maxConnsPerHost: 1 });
    const first = t.roundTrip(get(server.url));
    const answer = await within(arrived);
    const waiting = rejection(t.roundTrip(get(server.url)));
    t.close();
    expect(await within(waiting)).toMatchObject({ code: 'ERR_TRANSPORT_CLOSED' });
    answer('x');
    expect(await (await within(first)).body!.text()).toBe('x');
  });

  it('rejects a URL that is not http or https with ERR_UNSUPPORTED_SCHEME', async () => {
    const t = h.transport();
    const err = await rejection(t.roundTrip(get('ftp://127.0.0.1/')));
    expect(err).toMatchObject({ code: 'ERR_UNSUPPORTED_SCHEME' });
  });
});
