import { describe, expect, it } from 'vitest';
import { ParseError, type ProtocolError } from '../../src/index.js';
import { ok, rejection, request, requests, useHarness, within } from './client-conn-harness.js';

const h = useHarness();

const PROCESSING = 'HTTP/1.1 102 Processing\r\n\r\n';

/** interim returns a 103 head of about `bytes` bytes. */
function interim(bytes: number): string {
  return `HTTP/1.1 103 Early Hints\r\nLink: <${'a'.repeat(bytes - 50)}>\r\n\r\n`;
}

describe('ClientConn interim responses (max1xxResponses)', () => {
  it('fails with ERR_TOO_MANY_1XX on a backend sending 2,000 102 Processing', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    const seen: number[] = [];
    const res = conn.do(request('GET', '/'), { onInformational: (r) => seen.push(r.status) });
    await peer.waitFor(requests(1));
    void peer.write(PROCESSING.repeat(2000) + ok('late')).catch(() => undefined);
    const err = (await within(rejection(res))) as ProtocolError;
    expect(err.code).toBe('ERR_TOO_MANY_1XX');
    expect(seen).toEqual([102, 102, 102, 102, 102]); // the default, Go ≤ 1.23's
  });

  it('reads the final response after as many interim ones as allowed', async () => {
    const { conn, peer } = await h.dial(await h.serve());
    let seen = 0;
    const res = conn.do(request('GET', '/'), {
      max1xxResponses: 8,
      onInformational: () => seen++,
    });
    await peer.waitFor(requests(1));
    await peer.write(PROCESSING.repeat(8) + ok('done'));
    expect(await (await within(res)).body.text()).toBe('done');
    expect(seen).toBe(8);
  });

  it('counts interim heads against maxHeaderBytes with the final head (Go 1.24)', async () => {
    const { conn, peer } = await h.dial(await h.serve(), { maxHeaderBytes: 1024 });
    const res = conn.do(request('GET', '/'));
    await peer.waitFor(requests(1));
    await peer.write(interim(400) + interim(400) + ok('x', `X-Pad: ${'p'.repeat(300)}\r\n`));
    const err = await within(rejection(res));
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).code).toBe('HPE_HEADER_OVERFLOW');
  });

  it('gives the next response the whole maxHeaderBytes again', async () => {
    const { conn, peer } = await h.dial(await h.serve(), { maxHeaderBytes: 1024 });
    const first = conn.do(request('GET', '/1'));
    await peer.waitFor(requests(1));
    await peer.write(interim(400) + ok('one'));
    expect(await (await within(first)).body.text()).toBe('one');
    const second = conn.do(request('GET', '/2'));
    await peer.waitFor(requests(2));
    await peer.write(ok('two', `X-Pad: ${'p'.repeat(800)}\r\n`));
    expect(await (await within(second)).body.text()).toBe('two');
  });
});
