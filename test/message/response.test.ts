import { describe, expect, it } from 'vitest';
import { Body } from '../../src/message/body.js';
import { Request } from '../../src/message/request.js';
import { Response } from '../../src/message/response.js';
import type { MessageHead } from '../../src/parser/types.js';

function head(over: Partial<MessageHead>): MessageHead {
  return {
    method: null,
    url: null,
    status: 200,
    statusText: 'OK',
    versionMajor: 1,
    versionMinor: 1,
    headers: [],
    upgrade: false,
    shouldKeepAlive: true,
    contentLength: -1,
    chunked: false,
    ...over,
  };
}

describe('Response', () => {
  it('takes its status text from the table, and none for unknown codes', () => {
    expect(new Response(404).statusText).toBe('Not Found');
    expect(new Response(299).statusText).toBe('');
    expect(new Response(200, { statusText: 'Fine' }).statusText).toBe('Fine');
  });

  it('has HTTP/1.1, no body and length 0 by default', () => {
    const res = new Response(204);
    expect([res.protoMajor, res.protoMinor]).toEqual([1, 1]);
    expect(res.body).toBeNull();
    expect(res.contentLength).toBe(0);
    expect(res.close).toBe(false);
    expect(res.request).toBeNull();
  });

  it.each([99, 1000, 200.5, Number.NaN])('refuses the status %s', (status) => {
    expect(() => new Response(status)).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_STATUS' }),
    );
  });

  it('wraps a user body in a Body that can be read back', async () => {
    const res = new Response(200, { body: '{"a":1}' });
    expect(res.contentLength).toBe(7);
    expect(await res.body!.json()).toEqual({ a: 1 });
  });

  describe('fromHead', () => {
    it('reads Content-Length, keeping the header line', () => {
      const res = Response.fromHead(head({ contentLength: 3, headers: [['Content-Length', '3']] }));
      expect(res.contentLength).toBe(3);
      expect(res.header.get('Content-Length')).toBe('3');
      expect(res.statusText).toBe('OK');
    });

    it('gives a close-delimited body length -1 and close', () => {
      const res = Response.fromHead(head({ shouldKeepAlive: false }));
      expect(res.contentLength).toBe(-1);
      expect(res.close).toBe(true);
    });

    it('gives 1xx, 204 and 304 length 0 whatever they say', () => {
      for (const status of [101, 204, 304]) {
        const res = Response.fromHead(head({ status, contentLength: 10 }));
        expect(res.contentLength).toBe(0);
      }
    });

    it('keeps the declared length of a response to HEAD', () => {
      const request = new Request('HEAD', 'http://h/');
      const res = Response.fromHead(head({ contentLength: 10 }), { request });
      expect(res.contentLength).toBe(10);
      expect(res.request).toBe(request);
    });

    it('moves chunked framing out of the header and shares the trailer with the body', async () => {
      const body = new Body();
      const res = Response.fromHead(
        head({
          chunked: true,
          headers: [
            ['Trailer', 'Expires'],
            ['transfer-encoding', 'chunked'],
            ['Content-Type', 'text/plain'],
          ],
        }),
        { body },
      );
      expect(res.contentLength).toBe(-1);
      expect([...res.header]).toEqual([['Content-Type', 'text/plain']]);
      expect(res.trailer.has('Expires')).toBe(true);
      body.end([['Expires', 'never']]);
      expect(res.trailer.get('expires')).toBeNull(); // filled when the consumer reaches the end, as in Go
      await body.dump();
      expect(res.trailer.get('expires')).toBe('never');
    });
  });
});
