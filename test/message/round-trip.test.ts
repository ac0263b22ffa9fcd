import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Body } from '../../src/message/body.js';
import { Request } from '../../src/message/request.js';
import { Response } from '../../src/message/response.js';
import { type Sink, writeRequest, writeResponse } from '../../src/message/write-message.js';
import {
  type MessageHead,
  Parser,
  type ParserKind,
  parseMessages,
} from '../../src/parser/index.js';
import { llhttpOracle } from '../../src/fuzz/llhttp-oracle.js';

function memorySink(): Sink & { bytes(): Buffer } {
  const writes: Buffer[] = [];
  return {
    write(chunk: Uint8Array) {
      writes.push(Buffer.from(chunk));
      return true;
    },
    once: () => undefined,
    off: () => undefined,
    bytes: () => Buffer.concat(writes),
  };
}

async function* chunked(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* parts;
}

/** Node's own llhttp must read what we wrote the same way: no error, same bodies and trailers. */
function expectNodeAgrees(kind: ParserKind, bytes: Buffer): void {
  const ours = parseMessages(kind, bytes);
  const node = llhttpOracle(kind, bytes);
  expect(node.error).toBeNull();
  expect(node.messages.map((m) => [Buffer.from(m.body), m.trailers, m.shouldKeepAlive])).toEqual(
    ours.messages.map((m) => [Buffer.from(m.body), m.trailers, m.shouldKeepAlive]),
  );
}

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const fieldValue = fc
  .stringMatching(/^[\t\x20-\x7e\x80-\xff]{0,20}$/)
  .map((v) => v.replace(/^[ \t]+|[ \t]+$/g, ''));
const framingNames = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'trailer',
  'connection',
]);
const headerLines = fc.array(
  fc.tuple(token, fieldValue).filter(([n]) => !framingNames.has(n.toLowerCase())),
  { maxLength: 6 },
);
const bodyParts = fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 5 });

describe('write then parse', () => {
  it('round-trips requests: method, raw target, headers, body and trailers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        fc.constantFrom('/', '/a%2Fb', '/x?y=%zz;z', '/p?', '/~user/a;b?c=d&e'),
        headerLines,
        bodyParts,
        fc.boolean(),
        async (method, target, lines, parts, knownLength) => {
          const total = parts.reduce((n, p) => n + p.byteLength, 0);
          const req = new Request(method, `http://example.com${target}`, {
            header: lines,
            body: chunked(parts),
            contentLength: knownLength ? total : -1,
            trailer: knownLength ? null : { 'X-Parts': String(parts.length) },
          });
          const sink = memorySink();
          await writeRequest(sink, req);
          expectNodeAgrees('request', sink.bytes());
          const { messages, error } = parseMessages('request', sink.bytes());
          expect(error).toBeNull();
          expect(messages).toHaveLength(1);
          const m = messages[0]!;
          expect(m.method).toBe(method);
          expect(m.url).toBe(target);
          expect(m.shouldKeepAlive).toBe(true);
          expect(m.headers.filter(([n]) => !framingNames.has(n.toLowerCase()))).toEqual(lines);
          expect(Buffer.from(m.body)).toEqual(Buffer.concat(parts));
          expect(m.trailers).toEqual(knownLength ? [] : [['X-Parts', String(parts.length)]]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('round-trips responses, including bodiless statuses and close-delimited HTTP/1.0', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(200, 201, 204, 304, 404, 500),
        fc.constantFrom<[number, number]>([1, 1], [1, 0]),
        headerLines,
        bodyParts,
        fc.boolean(),
        async (status, [major, minor], lines, parts, knownLength) => {
          const total = parts.reduce((n, p) => n + p.byteLength, 0);
          const res = new Response(status, {
            header: lines,
            body: chunked(parts),
            contentLength: knownLength ? total : -1,
            protoMajor: major,
            protoMinor: minor,
          });
          const sink = memorySink();
          const encoded = await writeResponse(sink, res);
          expectNodeAgrees('response', sink.bytes());
          const { messages, error } = parseMessages('response', sink.bytes());
          expect(error).toBeNull();
          expect(messages).toHaveLength(1);
          const m = messages[0]!;
          expect(m.status).toBe(status);
          expect([m.versionMajor, m.versionMinor]).toEqual([major, minor]);
          expect(m.shouldKeepAlive).toBe(!encoded.close);
          const bodyless = status === 204 || status === 304;
          expect(Buffer.from(m.body)).toEqual(bodyless ? Buffer.alloc(0) : Buffer.concat(parts));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('builds the same Request back from the parsed head', async () => {
    const sink = memorySink();
    const out = new Request('POST', 'http://example.com:8080/a%2Fb?x=%zz;y', {
      header: [['X-Id', '7']],
      body: 'payload',
      trailer: null,
    });
    await writeRequest(sink, out);
    let incoming: Request | null = null;
    const body = new Body();
    const parser = new Parser('request', {
      onHeadersComplete(head: MessageHead) {
        incoming = Request.fromHead(head, { body });
      },
      onBody: (chunk) => body.push(chunk),
      onMessageComplete: () => body.end(),
    });
    parser.execute(sink.bytes());
    const req = incoming! as Request;
    expect(req.method).toBe('POST');
    expect(req.url).toEqual({ scheme: '', host: '', path: '/a%2Fb', query: 'x=%zz;y' });
    expect(req.host).toBe('example.com:8080');
    expect(req.header.get('x-id')).toBe('7');
    expect(req.contentLength).toBe(7);
    expect(await req.body!.text()).toBe('payload');
  });

  it('builds the same Response back from a parsed chunked head with trailers', async () => {
    const sink = memorySink();
    const out = new Response(200, {
      body: chunked([Buffer.from('abc')]),
      trailer: { 'X-Sum': '3' },
      header: { 'Content-Type': 'text/plain' },
    });
    await writeResponse(sink, out);
    let incoming: Response | null = null;
    const body = new Body();
    const parser = new Parser('response', {
      onHeadersComplete(head: MessageHead) {
        incoming = Response.fromHead(head, { body });
      },
      onBody: (chunk) => body.push(chunk),
      onTrailers: (pairs) => body.end(pairs),
      onMessageComplete: () => body.end(),
    });
    parser.execute(sink.bytes());
    const res = incoming! as Response;
    expect(res.contentLength).toBe(-1);
    expect([...res.header]).toEqual([['Content-Type', 'text/plain']]);
    expect(res.trailer.has('X-Sum')).toBe(true);
    expect(await res.body!.text()).toBe('abc');
    expect(res.trailer.get('X-Sum')).toBe('3');
  });
});
