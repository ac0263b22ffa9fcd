/**
 * What the Server answers a request head it must not serve as sent, as Go's
 * server does: 400 for a missing, duplicate or malformed Host (RFC 9112
 * §3.2), 501 for a transfer coding other than chunked (RFC 9112 §6.1), and
 * for a bad version 505 only when it is well formed but not 1.x, 400 when
 * it is malformed. Each answer names the error code, closes the connection
 * and never runs the handler; earlier pipelined requests are answered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Request } from '../../src/message/request.js';
import type { ResponseWriter } from '../../src/server/handler.js';
import { endingOf } from '../helpers/closing.js';
import { responsesIn } from '../helpers/responses.js';
import { cleanup, rawClient } from './harness.js';

afterEach(cleanup);

/** hostEcho answers with the request's host and path, so a test sees what the handler got. */
const hostEcho = async (rw: ResponseWriter, req: Request) => {
  await rw.write(`${req.host}|${req.url.path}`);
};

/** answers sends `wire` after one good request and returns the statuses and bodies received before the FIN. */
async function answers(wire: string): Promise<{ status: number; text: string }[]> {
  const { client } = await rawClient(hostEcho);
  const ending = endingOf(client.socket);
  await client.write(`GET /first HTTP/1.1\r\nHost: ok\r\n\r\n${wire}`);
  expect(await ending).toBe('fin');
  return responsesIn(client.received()).map(({ status, text }) => ({ status, text }));
}

/** refused is what `answers` returns when the request after the good one is refused with `status` and `detail`. */
function refused(status: string, detail: string): { status: number; text: string }[] {
  return [
    { status: 200, text: 'ok|/first' },
    { status: Number(status.slice(0, 3)), text: `${status}: ${detail}\n` },
  ];
}

describe('Server and the Host field (RFC 9112 §3.2)', () => {
  it('answers two Host fields with 400 (Go: too many Host headers)', async () => {
    expect(await answers('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n')).toEqual(
      refused('400 Bad Request', 'ERR_DUPLICATE_HOST'),
    );
  });

  it('answers an HTTP/1.1 request without Host with 400 (Go, and node:http’s requireHostHeader)', async () => {
    expect(await answers('GET /a HTTP/1.1\r\n\r\n')).toEqual(
      refused('400 Bad Request', 'ERR_MISSING_HOST'),
    );
  });

  it('answers an absolute-form HTTP/1.1 request without Host with 400 too', async () => {
    expect(await answers('GET http://a.test/ HTTP/1.1\r\n\r\n')).toEqual(
      refused('400 Bad Request', 'ERR_MISSING_HOST'),
    );
  });

  it('serves an HTTP/1.1 request without Host when requireHostHeader is false', async () => {
    const { client } = await rawClient(hostEcho, { requireHostHeader: false });
    await client.write('GET /a HTTP/1.1\r\n\r\n');
    await client.waitFor((got) => responsesIn(got).length === 1);
    expect(responsesIn(client.received()).map((r) => [r.status, r.text])).toEqual([[200, '|/a']]);
  });

  it('answers a Host that is not uri-host[:port] with 400 (Go: malformed Host header)', async () => {
    expect(await answers('GET / HTTP/1.1\r\nHost: a b\r\n\r\n')).toEqual(
      refused('400 Bad Request', 'ERR_INVALID_HOST'),
    );
  });

  it('serves HTTP/1.0 without Host, an empty Host and an IPv6 literal Host', async () => {
    const { client } = await rawClient(hostEcho);
    await client.write(
      'GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' +
        'GET /empty HTTP/1.1\r\nHost:\r\n\r\n' +
        'GET /ipv6 HTTP/1.1\r\nHost: [::1]:80\r\n\r\n',
    );
    await client.waitFor((got) => responsesIn(got).length === 3);
    expect(responsesIn(client.received()).map((r) => r.text)).toEqual([
      '|/old',
      '|/empty',
      '[::1]:80|/ipv6',
    ]);
  });

  it('serves a CONNECT without Host, whose host is its target', async () => {
    const { client } = await rawClient(async (rw, req) => {
      rw.header().set('X-Host', req.host);
      rw.writeHeader(403);
      await rw.write('no');
    });
    await client.write('CONNECT a.test:443 HTTP/1.1\r\n\r\n');
    await client.waitFor('no');
    const [res] = responsesIn(client.received());
    expect([res!.status, res!.field('X-Host')]).toEqual([403, 'a.test:443']);
  });
});

describe('Server and Transfer-Encoding (RFC 9112 §6.1, Go: unsupportedTEError)', () => {
  it('answers gzip, chunked with 501, though llhttp reads it as chunked', async () => {
    expect(
      await answers(
        'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
      ),
    ).toEqual(refused('501 Not Implemented', 'ERR_UNSUPPORTED_TRANSFER_ENCODING'));
  });

  it('answers a second Transfer-Encoding line with 501', async () => {
    expect(
      await answers(
        'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      ),
    ).toEqual(refused('501 Not Implemented', 'ERR_UNSUPPORTED_TRANSFER_ENCODING'));
  });

  it('answers a 501 before a Host error, as Go reads the framing first', async () => {
    expect(
      await answers('POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n'),
    ).toEqual(refused('501 Not Implemented', 'ERR_UNSUPPORTED_TRANSFER_ENCODING'));
  });
});

describe('Server and the HTTP version', () => {
  const cases: [what: string, line: string, status: string][] = [
    ['a well-formed HTTP/1.2', 'GET / HTTP/1.2', '505 HTTP Version Not Supported'],
    ['a well-formed HTTP/3.0', 'GET / HTTP/3.0', '505 HTTP Version Not Supported'],
    ['a word after the version', 'GET / HTTP/1.1 x', '400 Bad Request'],
    ['a NUL after the version', 'GET / HTTP/1.1\x00', '400 Bad Request'],
    ['a two-digit minor version', 'GET / HTTP/1.10', '400 Bad Request'],
    ['a two-digit major version', 'GET / HTTP/10.1', '400 Bad Request'],
    ['a letter for the major version', 'GET / HTTP/x.1', '400 Bad Request'],
    ['a letter for the minor version', 'GET / HTTP/1.x', '400 Bad Request'],
  ];
  for (const [what, line, status] of cases) {
    it(`answers ${what} with ${status.slice(0, 3)}`, async () => {
      expect(await answers(`${line}\r\nHost: a\r\n\r\n`)).toEqual(
        refused(status, 'HPE_INVALID_VERSION'),
      );
    });
  }

  it('answers a bare LF after the version with 400', async () => {
    expect(await answers('GET / HTTP/1.1\nHost: a\r\n\r\n')).toEqual(
      refused('400 Bad Request', 'HPE_INVALID_VERSION'),
    );
  });

  it('answers the HTTP/2 preface with 505, and a broken one too (its version is 2.0)', async () => {
    expect(await answers('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')).toEqual(
      refused('505 HTTP Version Not Supported', 'HPE_PAUSED_H2_UPGRADE'),
    );
    expect(await answers('PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n')).toEqual(
      refused('505 HTTP Version Not Supported', 'HPE_INVALID_VERSION'),
    );
  });
});
