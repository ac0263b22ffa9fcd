/**
 * X-Forwarded-* from an untrusted client (docs/api/ReverseProxy.md,
 * "Trusting X-Forwarded-*"): in director mode the proxy appends the client
 * IP to whatever X-Forwarded-For the client sent, as Go does, and passes
 * the client's other forwarding fields on untouched; in rewrite mode they
 * are stripped before `rewrite` runs, and `setXForwarded()` sets them from
 * what the proxy knows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessages } from '../../src/parser/index.js';
import type { ReverseProxy } from '../../src/proxy/reverse-proxy.js';
import { cleanup } from '../e2e/e2e-harness.js';
import { sendThroughProxy } from './smuggling-harness.js';

afterEach(cleanup);

const SPOOFED =
  'GET / HTTP/1.1\r\nHost: shop.test\r\nX-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Host: admin.test\r\n' +
  'X-Forwarded-Proto: https\r\nForwarded: for=6.6.6.6;proto=https\r\n\r\n';

/** forwardingFields sends SPOOFED through a proxy changed by `setup` and returns the forwarding fields the backend got. */
async function forwardingFields(setup?: (proxy: ReverseProxy) => void): Promise<string[][]> {
  const exchange = await sendThroughProxy(SPOOFED, 1, { setup });
  const [request] = parseMessages('request', exchange.backend[0]!).messages;
  return request!.headers.filter(([name]) => /^(x-)?forwarded/i.test(name));
}

describe('X-Forwarded-For from an untrusted client', () => {
  it("appends the client IP to the client's own X-Forwarded-For in director mode, and passes the other fields on (Go)", async () => {
    expect(await forwardingFields()).toEqual([
      ['X-Forwarded-For', '6.6.6.6, 127.0.0.1'],
      ['X-Forwarded-Host', 'admin.test'],
      ['X-Forwarded-Proto', 'https'],
      ['Forwarded', 'for=6.6.6.6;proto=https'],
    ]);
  });

  it("keeps only the proxy's own X-Forwarded-For entry when the director deletes the client's (the other fields stay)", async () => {
    const fields = await forwardingFields((proxy) => {
      const route = proxy.director!;
      proxy.director = (out) => {
        route(out);
        out.header.delete('X-Forwarded-For');
      };
    });
    expect(fields).toEqual([
      ['X-Forwarded-Host', 'admin.test'],
      ['X-Forwarded-Proto', 'https'],
      ['Forwarded', 'for=6.6.6.6;proto=https'],
      ['X-Forwarded-For', '127.0.0.1'],
    ]);
  });

  it('strips every client forwarding field in rewrite mode; setXForwarded() sets them from the connection', async () => {
    const fields = await forwardingFields((proxy) => {
      const route = proxy.director!;
      proxy.director = null;
      proxy.rewrite = (pr) => {
        route(pr.out);
        pr.setXForwarded();
      };
    });
    expect(fields).toEqual([
      ['X-Forwarded-For', '127.0.0.1'],
      ['X-Forwarded-Host', 'shop.test'],
      ['X-Forwarded-Proto', 'http'],
    ]);
  });

  it('sends no forwarding field at all in rewrite mode without setXForwarded()', async () => {
    const fields = await forwardingFields((proxy) => {
      const route = proxy.director!;
      proxy.director = null;
      proxy.rewrite = (pr) => route(pr.out);
    });
    expect(fields).toEqual([]);
  });
});
