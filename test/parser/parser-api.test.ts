/**
 * The `Parser` class contract: callback order, pause and resume, reset,
 * finish, sticky errors, onHeadersComplete's return value, requestMethod,
 * maxHeaderBytes, upgrades and absolute error offsets.
 */
import { describe, expect, it } from 'vitest';
import { ParseError, Parser } from '../../src/parser/index.js';
import type {
  MessageHead,
  ParserCallbacks,
  ParserKind,
  ParserOptions,
} from '../../src/parser/types.js';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const text = (chunk: Uint8Array) => Buffer.from(chunk).toString('latin1');

/** recorder collects every callback as a short string, copying body views at once. */
function recorder(extra: ParserCallbacks = {}) {
  const events: string[] = [];
  const heads: MessageHead[] = [];
  const callbacks: ParserCallbacks = {
    onMessageBegin: () => {
      events.push('begin');
      extra.onMessageBegin?.();
    },
    onHeadersComplete: (head) => {
      heads.push(head);
      events.push(`head ${head.method ?? head.status} ${head.url ?? head.statusText}`);
      return extra.onHeadersComplete?.(head);
    },
    onBody: (chunk) => {
      events.push(`body ${text(chunk)}`);
      extra.onBody?.(chunk);
    },
    onChunkHeader: (size) => events.push(`chunk header ${size}`),
    onChunkExtensionName: (name) => events.push(`extension name ${name}`),
    onChunkExtensionValue: (value) => events.push(`extension value ${value}`),
    onChunkComplete: () => events.push('chunk complete'),
    onTrailers: (trailers) => events.push(`trailers ${JSON.stringify(trailers)}`),
    onMessageComplete: () => {
      events.push('complete');
      extra.onMessageComplete?.();
    },
    onReset: () => events.push('reset'),
  };
  return { events, heads, callbacks };
}

/** bodies joins the body events of each message, for checks that ignore chunking. */
function bodies(events: string[]): string[] {
  const out: string[] = [];
  let current = '';
  for (const event of events) {
    if (event === 'begin') current = '';
    else if (event.startsWith('body ')) current += event.slice(5);
    else if (event === 'complete') out.push(current);
  }
  return out;
}

function thrown(run: () => unknown): ParseError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ParseError);
    return err as ParseError;
  }
  throw new Error('expected a ParseError');
}

function parser(kind: ParserKind, extra: ParserCallbacks = {}, options?: ParserOptions) {
  const r = recorder(extra);
  return { ...r, parser: new Parser(kind, r.callbacks, options) };
}

const CHUNKED =
  'POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '5;name=value\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n';
const GET = 'GET /next HTTP/1.1\r\nHost: a\r\n\r\n';

describe('Parser', () => {
  it('calls the callbacks in llhttp order for a chunked request with trailers', () => {
    const { parser: p, events } = parser('request');
    expect(p.execute(bytes(CHUNKED))).toBe(CHUNKED.length);
    expect(events).toEqual([
      'begin',
      'head POST /up',
      'extension name name',
      'extension value value',
      'chunk header 5',
      'body hello',
      'chunk complete',
      'chunk header 0',
      'trailers [["X-Sum","1"]]',
      'chunk complete',
      'complete',
    ]);
  });

  it('calls onReset between pipelined messages, not before the first', () => {
    const { parser: p, events } = parser('request');
    p.execute(bytes(GET + GET));
    const secondBegin = events.lastIndexOf('begin');
    expect(events.slice(0, secondBegin + 2)).toEqual([
      'begin',
      'head GET /next',
      'complete',
      'reset',
      'begin',
      'head GET /next',
    ]);
    expect(events.filter((e) => e === 'complete')).toHaveLength(2);
  });

  it('gives onHeadersComplete the whole head with its framing', () => {
    const { parser: p, heads } = parser('request');
    p.execute(bytes('PUT /a?b HTTP/1.0\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc'));
    p.execute(bytes(CHUNKED));
    expect(heads[0]).toMatchObject({
      method: 'PUT',
      url: '/a?b',
      status: null,
      statusText: null,
      versionMajor: 1,
      versionMinor: 0,
      headers: [
        ['Content-Length', '3'],
        ['Connection', 'keep-alive'],
      ],
      upgrade: false,
      shouldKeepAlive: true,
      contentLength: 3,
      chunked: false,
    });
    expect(heads[1]).toMatchObject({ contentLength: -1, chunked: true });
  });

  it('reports status and reason on responses, with method and url null', () => {
    const { parser: p, heads } = parser('response');
    p.execute(bytes('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
    expect(heads[0]).toMatchObject({
      method: null,
      url: null,
      status: 404,
      statusText: 'Not Found',
    });
  });

  it('lets an exception from a callback propagate unchanged', () => {
    const boom = new Error('boom');
    const { parser: p } = parser('request', {
      onHeadersComplete: () => {
        throw boom;
      },
    });
    expect(() => p.execute(bytes(GET))).toThrow(boom);
  });

  describe('pause and resume', () => {
    it('returns early when onHeadersComplete pauses, and continues after resume', () => {
      const input = 'POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello';
      const headLength = input.indexOf('hello');
      const r = parser('request', { onHeadersComplete: () => p.pause() });
      const p = r.parser;
      const chunk = bytes(input);
      expect(p.execute(chunk)).toBe(headLength);
      expect(r.events).toEqual(['begin', 'head POST /']);
      p.resume();
      expect(p.execute(chunk.subarray(headLength))).toBe(5);
      expect(r.events).toEqual(['begin', 'head POST /', 'body hello', 'complete']);
    });

    it('stops right after the message whose onMessageComplete pauses', () => {
      let paused = false;
      const r = parser('request', {
        onMessageComplete: () => {
          if (!paused) p.pause();
          paused = true;
        },
      });
      const p = r.parser;
      const chunk = bytes(GET + GET);
      expect(p.execute(chunk)).toBe(GET.length);
      expect(r.events.filter((e) => e === 'complete')).toHaveLength(1);
      p.resume();
      expect(p.execute(chunk.subarray(GET.length))).toBe(GET.length);
      expect(r.events.filter((e) => e === 'complete')).toHaveLength(2);
    });

    it('keeps error offsets absolute after a pause', () => {
      const r = parser('request', { onMessageComplete: () => p.pause() });
      const p = r.parser;
      const chunk = bytes(GET + 'GET / HTTP/1.1\r\nA B: c\r\n\r\n');
      const n = p.execute(chunk);
      p.resume();
      const err = thrown(() => p.execute(chunk.subarray(n)));
      expect(err.code).toBe('HPE_INVALID_HEADER_TOKEN');
      expect(err.offset).toBe(GET.length + 17);
    });
  });

  describe('errors', () => {
    it('throws ParseError with the offset counted from the start of the stream', () => {
      const { parser: p } = parser('request');
      expect(p.execute(bytes('GET / HTTP/1.1\r\n'))).toBe(16);
      const err = thrown(() => p.execute(bytes('Bad Header: x\r\n\r\n')));
      expect(err.code).toBe('HPE_INVALID_HEADER_TOKEN');
      expect(err.offset).toBe(19);
      expect(typeof err.reason).toBe('string');
    });

    it('keeps the error sticky until reset()', () => {
      const { parser: p, events } = parser('request');
      const first = thrown(() => p.execute(bytes('XYZ / HTTP/1.1\r\n\r\n')));
      const again = thrown(() => p.execute(bytes(GET)));
      expect(again.code).toBe(first.code);
      expect(again.offset).toBe(first.offset);
      expect(events).not.toContain('complete');
      p.reset();
      expect(p.execute(bytes(GET))).toBe(GET.length);
      expect(events).toContain('complete');
    });

    it('counts offsets from zero again after reset()', () => {
      const { parser: p } = parser('request');
      p.execute(bytes(GET));
      p.reset();
      expect(thrown(() => p.execute(bytes('GET / HTTP/1.1\r\nA B: c\r\n\r\n'))).offset).toBe(17);
    });
  });

  describe('finish()', () => {
    it('completes a response body read until the connection closes', () => {
      const { parser: p, events } = parser('response');
      p.execute(bytes('HTTP/1.1 200 OK\r\n\r\nsome '));
      p.execute(bytes('data'));
      expect(events).not.toContain('complete');
      p.finish();
      expect(bodies(events)).toEqual(['some data']);
    });

    it('is quiet between messages', () => {
      const { parser: p } = parser('request');
      p.execute(bytes(GET));
      expect(() => p.finish()).not.toThrow();
      const fresh = parser('request').parser;
      expect(() => fresh.finish()).not.toThrow();
    });

    it('throws HPE_INVALID_EOF_STATE in the middle of a message', () => {
      const { parser: p } = parser('request');
      p.execute(bytes('POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhe'));
      const err = thrown(() => p.finish());
      expect(err.code).toBe('HPE_INVALID_EOF_STATE');
    });

    it('throws HPE_INVALID_EOF_STATE in the middle of a head', () => {
      const { parser: p } = parser('response');
      p.execute(bytes('HTTP/1.1 200 OK\r\nContent-'));
      expect(thrown(() => p.finish()).code).toBe('HPE_INVALID_EOF_STATE');
    });
  });

  describe('onHeadersComplete return value', () => {
    it('1 skips the body, as for a response to HEAD', () => {
      const input = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n';
      const { parser: p, events, heads } = parser('response', { onHeadersComplete: () => 1 });
      expect(p.execute(bytes(input))).toBe(input.length);
      expect(heads.map((h) => h.status)).toEqual([200, 204]);
      expect(bodies(events)).toEqual(['', '']);
      expect(p.upgraded).toBe(false);
    });

    it('2 skips the body and upgrades, as for a 2xx to CONNECT', () => {
      const head = 'HTTP/1.1 200 Connection Established\r\n\r\n';
      const { parser: p, events } = parser('response', { onHeadersComplete: () => 2 });
      expect(p.execute(bytes(head + 'tunnel'))).toBe(head.length);
      expect(p.upgraded).toBe(true);
      expect(events).toEqual(['begin', 'head 200 Connection Established', 'complete']);
    });

    it('anything else frames the body from the headers', () => {
      const { parser: p, events } = parser('response', { onHeadersComplete: () => 0 });
      p.execute(bytes('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
      expect(bodies(events)).toEqual(['ok']);
    });
  });

  describe('requestMethod', () => {
    it('as a string applies to every response', () => {
      const input = 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n'.repeat(2);
      const { parser: p, events } = parser('response', {}, { requestMethod: 'HEAD' });
      expect(p.execute(bytes(input))).toBe(input.length);
      expect(bodies(events)).toEqual(['', '']);
    });

    it('as an array gives one method per final response, skipping 1xx', () => {
      const input =
        'HTTP/1.1 100 Continue\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n' +
        'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc';
      const {
        parser: p,
        events,
        heads,
      } = parser('response', {}, { requestMethod: ['HEAD', 'GET'] });
      expect(p.execute(bytes(input))).toBe(input.length);
      expect(heads.map((h) => h.status)).toEqual([100, 200, 103, 200]);
      expect(bodies(events)).toEqual(['', '', '', 'abc']);
    });

    it('CONNECT upgrades on a 2xx and frames other statuses as usual', () => {
      const refused = 'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 2\r\n\r\nno';
      const accepted = 'HTTP/1.1 200 OK\r\n\r\n';
      const { parser: p, events } = parser('response', {}, { requestMethod: 'CONNECT' });
      expect(p.execute(bytes(refused + accepted + 'tunnel'))).toBe(
        refused.length + accepted.length,
      );
      expect(bodies(events)).toEqual(['no', '']);
      expect(p.upgraded).toBe(true);
    });
  });

  describe('maxHeaderBytes', () => {
    const head = (valueLength: number) =>
      `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(valueLength)}\r\n\r\n`;

    it('accepts a head just under the 64 KiB default', () => {
      const input = head(60 * 1024);
      expect(parser('request').parser.execute(bytes(input))).toBe(input.length);
    });

    it('rejects a head over the 64 KiB default with HPE_HEADER_OVERFLOW', () => {
      const { parser: p } = parser('request');
      expect(thrown(() => p.execute(bytes(head(65 * 1024)))).code).toBe('HPE_HEADER_OVERFLOW');
    });

    it('rejects the overflow however the head is chunked', () => {
      const { parser: p } = parser('request');
      const input = bytes(head(65 * 1024));
      const err = thrown(() => {
        for (let i = 0; i < input.length; i += 1000) p.execute(input.subarray(i, i + 1000));
      });
      expect(err.code).toBe('HPE_HEADER_OVERFLOW');
    });

    it('honours a custom limit', () => {
      const options = { maxHeaderBytes: 1024 };
      const small = head(900);
      expect(parser('request', {}, options).parser.execute(bytes(small))).toBe(small.length);
      const { parser: p } = parser('request', {}, options);
      expect(thrown(() => p.execute(bytes(head(1100)))).code).toBe('HPE_HEADER_OVERFLOW');
    });

    it('limits the trailer section too', () => {
      const { parser: p } = parser('request', {}, { maxHeaderBytes: 1024 });
      const input = `POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: ${'t'.repeat(1100)}\r\n\r\n`;
      expect(thrown(() => p.execute(bytes(input))).code).toBe('HPE_HEADER_OVERFLOW');
    });

    it('does not count the body', () => {
      const body = 'b'.repeat(4096);
      const input = `POST / HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      const { parser: p, events } = parser('request', {}, { maxHeaderBytes: 1024 });
      expect(p.execute(bytes(input))).toBe(input.length);
      expect(bodies(events)).toEqual([body]);
    });
  });

  describe('upgrades', () => {
    const UPGRADE = 'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

    it('stops at the tunnel bytes and sets upgraded', () => {
      const { parser: p, heads } = parser('request');
      expect(p.upgraded).toBe(false);
      expect(p.execute(bytes(UPGRADE + '\x81\x00'))).toBe(UPGRADE.length);
      expect(heads[0]!.upgrade).toBe(true);
      expect(p.upgraded).toBe(true);
    });

    it('consumes nothing more until reset()', () => {
      const { parser: p, events } = parser('request');
      p.execute(bytes(UPGRADE));
      expect(p.upgraded).toBe(true);
      expect(p.execute(bytes(GET))).toBe(0);
      expect(events.filter((e) => e === 'begin')).toHaveLength(1);
      p.reset();
      expect(p.upgraded).toBe(false);
      expect(p.execute(bytes(GET))).toBe(GET.length);
    });

    it('upgrades after a CONNECT head without reading its body', () => {
      const head = 'CONNECT example.com:443 HTTP/1.1\r\nContent-Length: 4\r\n\r\n';
      const { parser: p, events } = parser('request');
      expect(p.execute(bytes(head + 'data'))).toBe(head.length);
      expect(p.upgraded).toBe(true);
      expect(bodies(events)).toEqual(['']);
    });

    it('switches on a 101 response', () => {
      const head =
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';
      const { parser: p } = parser('response');
      expect(p.execute(bytes(head + 'frames'))).toBe(head.length);
      expect(p.upgraded).toBe(true);
    });
  });
});
