import { describe, expect, it } from 'vitest';
import { type ParseResult, type ParserOptions, parseMessages } from '../../src/parser/index.js';
import { fieldLines, requestLine } from '../helpers/oversized.js';

/** parse runs `input` whole and one byte per chunk, expects the same result both ways, and returns it. */
function parse(kind: 'request' | 'response', input: string, options: ParserOptions): ParseResult {
  const bytes = Buffer.from(input, 'latin1');
  const whole = parseMessages(kind, bytes, options);
  const split = parseMessages(
    kind,
    [...bytes].map((b) => Uint8Array.of(b)),
    options,
  );
  expect(describeResult(split)).toEqual(describeResult(whole));
  return whole;
}

function describeResult(r: ParseResult) {
  return {
    messages: r.messages.map((m) => [m.url, m.headers, m.trailers, Buffer.from(m.body).toString()]),
    error: r.error && [r.error.code, r.error.reason, r.error.offset],
    consumed: r.consumed,
  };
}

/** chunked is a chunked request whose chunk-size lines carry `exts` (one per one-byte chunk). */
function chunked(...exts: string[]): string {
  const chunks = exts.map((ext, i) => `1${ext}\r\n${'abcdefgh'[i]}\r\n`).join('');
  return `POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`;
}

describe('Parser limits (off by default: llhttp has none of them)', () => {
  it('accepts a long request line, many fields and long chunk extensions without options', () => {
    const input =
      `${requestLine(60_000)}\r\n` +
      `POST / HTTP/1.1\r\n${fieldLines(1000)}Transfer-Encoding: chunked\r\n\r\n` +
      `1;${'e'.repeat(100_000)}\r\na\r\n0\r\n\r\n`;
    const { messages, error } = parseMessages('request', Buffer.from(input, 'latin1'));
    expect(error).toBeNull();
    expect(messages.map((m) => m.headers.length)).toEqual([0, 1001]);
  });

  it('maxRequestLineBytes counts the request line with its CRLF and fails at the first byte over', () => {
    expect(
      parse('request', `${requestLine(100)}\r\n`, { maxRequestLineBytes: 100 }).error,
    ).toBeNull();
    const { error } = parse('request', `${requestLine(101)}\r\n`, { maxRequestLineBytes: 100 });
    expect(error).toMatchObject({
      code: 'HPE_REQUEST_LINE_OVERFLOW',
      reason: 'Request line overflow',
      offset: 100,
    });
  });

  it('maxRequestLineBytes fails without waiting for the line to end, and leaves the rest of the head to maxHeaderBytes', () => {
    const options = { maxRequestLineBytes: 64, maxHeaderBytes: 1024 };
    expect(parse('request', `GET /${'a'.repeat(100)}`, options).error).toMatchObject({
      code: 'HPE_REQUEST_LINE_OVERFLOW',
      offset: 64,
    });
    const long = `${requestLine(30)}X: ${'v'.repeat(900)}\r\n\r\n`;
    expect(parse('request', long + long, options).messages).toHaveLength(2);
    expect(
      parse('request', `${requestLine(30)}X: ${'v'.repeat(1000)}\r\n\r\n`, options).error,
    ).toMatchObject({
      code: 'HPE_HEADER_OVERFLOW',
      offset: 1024,
    });
  });

  it('maxRequestLineBytes does not apply to status lines', () => {
    const input = `HTTP/1.1 200 ${'R'.repeat(500)}\r\nContent-Length: 0\r\n\r\n`;
    expect(parse('response', input, { maxRequestLineBytes: 20 }).error).toBeNull();
  });

  it('maxHeaderCount bounds header fields and, separately, trailer fields', () => {
    const options = { maxHeaderCount: 3 };
    expect(parse('request', `GET / HTTP/1.1\r\n${fieldLines(3)}\r\n`, options).error).toBeNull();
    expect(parse('request', `GET / HTTP/1.1\r\n${fieldLines(4)}\r\n`, options).error).toMatchObject(
      {
        code: 'HPE_HEADER_OVERFLOW',
        reason: 'Too many header fields',
      },
    );
    const trailers = (n: number) =>
      `POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n${fieldLines(n)}\r\n`;
    expect(parse('request', trailers(3), options).messages[0]!.trailers).toHaveLength(3);
    expect(parse('request', trailers(4), options).error).toMatchObject({
      code: 'HPE_HEADER_OVERFLOW',
      reason: 'Too many trailer fields',
    });
  });

  it('maxChunkExtensionBytes counts every extension byte of a message, from each `;` to the line end', () => {
    const options = { maxChunkExtensionBytes: 10 };
    expect(parse('request', chunked(';eeeeeeeee'), options).error).toBeNull();
    expect(parse('request', chunked(';eeee', ';x=yy'), options).error).toBeNull();
    expect(parse('request', chunked(';eeee', ';x="y"'), options).error).toMatchObject({
      code: 'HPE_CHUNK_EXTENSIONS_OVERFLOW',
      reason: 'Chunk extensions overflow',
    });
    expect(parse('request', chunked(';eeeeeeeeee'), options).error).toMatchObject({
      code: 'HPE_CHUNK_EXTENSIONS_OVERFLOW',
    });
  });

  it('maxChunkExtensionBytes starts afresh with each message', () => {
    const options = { maxChunkExtensionBytes: 10 };
    const one = chunked(';eeeeeeeee');
    expect(parse('request', one + one + one, options).messages).toHaveLength(3);
  });

  it('maxChunkExtensionBytes fails an extension that never ends at the first byte over', () => {
    const head = 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n';
    const { error } = parse('request', `${head}1;${'e'.repeat(50)}`, {
      maxChunkExtensionBytes: 10,
    });
    expect(error).toMatchObject({
      code: 'HPE_CHUNK_EXTENSIONS_OVERFLOW',
      offset: head.length + 12,
    });
  });
});
