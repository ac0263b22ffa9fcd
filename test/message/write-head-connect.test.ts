import { describe, expect, it } from 'vitest';
import { Request, Response } from '../../src/index.js';
import { encodeResponseHead } from '../../src/message/write-head.js';

describe('encodeResponseHead for CONNECT', () => {
  it('writes no framing fields on a 2xx to CONNECT (RFC 9110 §9.3.6)', () => {
    const req = new Request('CONNECT', 'http://backend.example:443/');
    const { head, framing } = encodeResponseHead(new Response(200, { request: req }));
    expect(head).toBe('HTTP/1.1 200 OK\r\n\r\n');
    expect(framing.kind).toBe('none');
  });

  it('frames a refused CONNECT like any other response', () => {
    const req = new Request('CONNECT', 'http://backend.example:443/');
    const { head } = encodeResponseHead(new Response(407, { request: req }));
    expect(head).toContain('Content-Length: 0\r\n');
  });
});
