/**
 * Header injection: CR, LF or NUL in a header a `director`, `rewrite`,
 * `modifyResponse` or handler sets is an error, never a split message.
 * Both sides of the proxy are recorded: the backend never receives a
 * request carrying the injected line, and the client receives exactly one
 * well-formed error response. Which error depends on where the bad value
 * is caught:
 * - `Header.set`/`add` throw `ERR_INVALID_HEADER` at once, so a director
 *   or rewrite that calls them fails the handler: `500`, connection closed;
 *   in `modifyResponse` the throw goes to the errorHandler: `502`;
 * - values that skip those checks (`Header.addWire`, a URL, host or method
 *   set directly) are checked again when the request is written, so the
 *   transport fails: `502`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { Header } from '../../src/message/header.js';
import { parseMessages } from '../../src/parser/index.js';
import type { ReverseProxy } from '../../src/proxy/reverse-proxy.js';
import { TrailerPrefix } from '../../src/server/handler.js';
import { createServer } from '../../src/server/server.js';
import { connectTo } from '../helpers/raw-peer.js';
import { cleanup, onCleanup, within } from '../e2e/e2e-harness.js';
import { sendThroughProxy } from './smuggling-harness.js';

afterEach(cleanup);

const GET = 'GET /a HTTP/1.1\r\nHost: a\r\n\r\n';

/** Values and names that would split a message if written as they are. */
const BAD_VALUES: [what: string, value: string][] = [
  ['CRLF', 'ok\r\nX-Injected: 1'],
  ['a bare LF', 'ok\nX-Injected: 1'],
  ['a bare CR', 'ok\rX-Injected: 1'],
  ['NUL', 'ok\x00X-Injected: 1'],
  ['U+010D, which latin1 would write as CR', 'ok\u010d\nX-Injected: 1'],
];
const BAD_NAMES: [what: string, name: string][] = [
  ['CRLF', 'X-A\r\nX-Injected'],
  ['a bare LF', 'X-A\nX-Injected'],
  ['NUL', 'X-A\x00X-Injected'],
  ['a colon and a space', 'X-Injected: 1\r\nX-A'],
];

/**
 * injectedThrough sends one GET through a proxy changed by `setup` and
 * checks that neither side saw a split message: the client got exactly
 * one response, with status `status`, and nothing else; no backend
 * connection received a byte of the injected line.
 */
async function injectedThrough(
  setup: (proxy: ReverseProxy) => void,
  status: number,
): Promise<{ logs: string[]; backend: Buffer[] }> {
  const exchange = await sendThroughProxy(GET, 1, { setup });
  const answers = parseMessages('response', exchange.client, { requestMethod: 'GET' });
  expect(answers.error).toBeNull();
  expect(answers.messages.map((m) => m.status)).toEqual([status]);
  expect(exchange.client.toString('latin1')).not.toContain('Injected');
  for (const received of exchange.backend) {
    expect(received.toString('latin1')).not.toContain('Injected');
    expect(parseMessages('request', received).error).toBeNull();
  }
  return exchange;
}

/** wrapDirector runs `change` on each outgoing request after the single-host routing. */
function wrapDirector(change: (out: Parameters<NonNullable<ReverseProxy['director']>>[0]) => void) {
  return (proxy: ReverseProxy) => {
    const route = proxy.director!;
    proxy.director = (out) => {
      route(out);
      change(out);
    };
  };
}

describe('A director setting a header with CR, LF or NUL', () => {
  for (const [what, value] of BAD_VALUES) {
    it(`fails the handler with 500 for a value with ${what}; nothing reaches the backend`, async () => {
      const { backend } = await injectedThrough(
        wrapDirector((out) => out.header.set('X-Custom', value)),
        500,
      );
      expect(backend.join('')).toBe('');
    });
  }
  for (const [what, name] of BAD_NAMES) {
    it(`fails the handler with 500 for a name with ${what}; nothing reaches the backend`, async () => {
      const { backend } = await injectedThrough(
        wrapDirector((out) => out.header.add(name, 'v')),
        500,
      );
      expect(backend.join('')).toBe('');
    });
  }

  it('answers 502 when the line skipped the checks (addWire): the transport checks it again', async () => {
    const { backend, logs } = await injectedThrough(
      wrapDirector((out) => out.header.addWire([['X-Custom', 'ok\r\nX-Injected: 1']])),
      502,
    );
    expect(backend.join('')).toBe('');
    expect(logs).toEqual([
      'httputil: ReverseProxy proxy error: invalid value for header "X-Custom"',
    ]);
  });

  const fields: [what: string, change: Parameters<typeof wrapDirector>[0], code: string][] = [
    [
      'path',
      (out) => (out.url = { ...out.url, path: '/a HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET /b' }),
      'request-target',
    ],
    ['query', (out) => (out.url = { ...out.url, query: 'q=1\r\nX-Injected: 1' }), 'request-target'],
    ['host', (out) => (out.host = 'a\r\nX-Injected: 1'), 'host'],
    ['method', (out) => (out.method = 'GET / HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET'), 'method'],
  ];
  for (const [what, change, named] of fields) {
    it(`answers 502 for a CRLF set directly in the outgoing ${what}`, async () => {
      const { backend, logs } = await injectedThrough(wrapDirector(change), 502);
      expect(backend.join('')).toBe('');
      expect(logs.join('\n')).toContain(`invalid ${named}`);
    });
  }
});

describe('A rewrite setting a header with CR, LF or NUL', () => {
  for (const [what, value] of BAD_VALUES) {
    it(`fails the handler with 500 for a value with ${what}; nothing reaches the backend`, async () => {
      const { backend } = await injectedThrough((proxy) => {
        const route = proxy.director!;
        proxy.director = null;
        proxy.rewrite = async (pr) => {
          route(pr.out);
          await Promise.resolve();
          pr.out.header.set('X-Custom', value);
        };
      }, 500);
      expect(backend.join('')).toBe('');
    });
  }
});

describe('A modifyResponse setting a header with CR, LF or NUL', () => {
  for (const [what, value] of BAD_VALUES) {
    it(`answers 502 through the errorHandler for a value with ${what}`, async () => {
      const { backend, logs } = await injectedThrough((proxy) => {
        proxy.modifyResponse = (res) => {
          res.header.set('X-Custom', value);
        };
      }, 502);
      expect(backend).toHaveLength(1); // the request went through; only the response is refused
      expect(logs).toEqual([
        'httputil: ReverseProxy proxy error: invalid value for header "X-Custom"',
      ]);
    });
  }

  it('fails the handler with 500 when the line skipped the checks (addWire)', async () => {
    await injectedThrough((proxy) => {
      proxy.modifyResponse = (res) => {
        res.header.addWire([['X-Custom', 'ok\r\nX-Injected: 1']]);
      };
    }, 500);
  });

  it('drops a trailer set unchecked (addWire) with CRLF: one response, then the connection closes', async () => {
    const exchange = await sendThroughProxy(GET, 1, {
      setup: (proxy) => {
        proxy.modifyResponse = (res) => {
          res.trailer.addWire([['X-Trailer', 'ok\r\n\r\nHTTP/1.1 200 OK']]);
        };
      },
    });
    const answers = parseMessages('response', exchange.client);
    expect(answers.error).toBeNull();
    expect(answers.messages.map((m) => [m.status, m.trailers])).toEqual([[200, []]]);
    expect(exchange.client.toString('latin1')).not.toContain('X-Trailer');
    expect(exchange.logs.join('\n')).toContain('invalid value for header "X-Trailer"');
  });
});

describe('Setting a header with CR, LF or NUL directly', () => {
  for (const [what, value] of BAD_VALUES) {
    it(`Header.set and Header.add throw ERR_INVALID_HEADER for a value with ${what} and change nothing`, () => {
      const header = new Header().set('X-Custom', 'before');
      for (const write of [
        () => header.set('X-Custom', value),
        () => header.add('X-Custom', value),
      ]) {
        expect(write).toThrow(ProtocolError);
        expect(write).toThrow(expect.objectContaining({ code: 'ERR_INVALID_HEADER' }));
      }
      expect([...header]).toEqual([['X-Custom', 'before']]);
    });
  }
  for (const [what, name] of BAD_NAMES) {
    it(`Header.set and Header.add throw ERR_INVALID_HEADER for a name with ${what}`, () => {
      const header = new Header();
      expect(() => header.set(name, 'v')).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_HEADER' }),
      );
      expect(() => header.add(name, 'v')).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_HEADER' }),
      );
      expect(header.size).toBe(0);
    });
  }

  it('ResponseWriter.header() throws the same typed error, for head fields and trailers, and the handler gets a 500', async () => {
    const thrown: unknown[] = [];
    const server = createServer(
      async (rw) => {
        for (const name of ['X-Custom', `${TrailerPrefix}X-Sum`]) {
          try {
            rw.header().set(name, 'ok\r\nX-Injected: 1');
          } catch (err) {
            thrown.push(err);
          }
        }
        rw.header().add('X-Custom', 'ok\nX-Injected: 1'); // uncaught: the server answers 500
        await rw.write('never sent');
      },
      { errorLog: () => undefined },
    );
    const { port } = await server.listen(0, '127.0.0.1');
    onCleanup(() => server.close());
    const socket = await connectTo(port);
    onCleanup(() => socket.destroy());
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise((resolve) => socket.once('end', resolve));
    socket.write(GET);
    await within(ended, 2000, 'the server closing the connection');
    expect(thrown.map((err) => (err as ProtocolError).code)).toEqual([
      'ERR_INVALID_HEADER',
      'ERR_INVALID_HEADER',
    ]);
    const received = Buffer.concat(chunks);
    expect(received.toString('latin1')).not.toContain('Injected');
    expect(parseMessages('response', received).messages.map((m) => m.status)).toEqual([500]);
  });
});
