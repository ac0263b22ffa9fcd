/**
 * Request smuggling through the proxy by the Host field (RFC 9112 §3.2):
 * a second Host line, one missing on HTTP/1.1, or a value that is not
 * `uri-host [ ":" port ]` lets two hops route or key one request
 * differently. Each is refused with 400 before any byte reaches the
 * backend, as Go's server refuses them; what RFC 9112 allows goes on. See
 * smuggling-harness.ts for what `smuggles` checks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessages } from '../../src/parser/index.js';
import { cleanup } from '../e2e/e2e-harness.js';
import { type Attack, sendThroughProxy, smuggles } from './smuggling-harness.js';

afterEach(cleanup);

const SMUGGLED = 'GET /admin HTTP/1.1\r\nHost: a\r\n\r\n';

/** withHost sends a GET whose Host line is `host`, then a request to smuggle. */
function withHost(host: string): string {
  return `GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n${SMUGGLED}`;
}

const DUPLICATES: Attack[] = [
  {
    name: 'two Host fields with different values',
    send: `GET / HTTP/1.1\r\nHost: good.test\r\nHost: evil.test\r\n\r\n${SMUGGLED}`,
    rejects: 400,
  },
  {
    name: 'two equal Host fields',
    send: `GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'a second Host field in odd case',
    send: `GET / HTTP/1.1\r\nHost: good.test\r\nhOsT: evil.test\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'a second Host field far down the head',
    send: `GET / HTTP/1.1\r\nHost: good.test\r\nX-A: 1\r\nX-B: 2\r\nHost: evil.test\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'two Host fields on an absolute-form request, whose target names the host',
    send: `GET http://evil.test/a HTTP/1.1\r\nHost: good.test\r\nHost: other.test\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'two Host fields on HTTP/1.0',
    send: `GET / HTTP/1.0\r\nHost: good.test\r\nHost: evil.test\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'two Host fields on a request pipelined after a good one: the first is answered',
    send: `${SMUGGLED}GET / HTTP/1.1\r\nHost: good.test\r\nHost: evil.test\r\n\r\n`,
    forwards: 1,
    rejects: 400,
  },
];

const MISSING: Attack[] = [
  {
    name: 'no Host on an HTTP/1.1 request',
    send: `GET / HTTP/1.1\r\n\r\n${SMUGGLED}`,
    rejects: 400,
  },
  {
    name: 'no Host on an HTTP/1.1 absolute-form request',
    send: `GET http://a.test/ HTTP/1.1\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'no Host on a POST with a body',
    send: `POST / HTTP/1.1\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    rejects: 400,
  },
  {
    name: 'a Host_ field is no Host',
    send: `GET / HTTP/1.1\r\nHost_: a\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'an HTTP/1.0 request needs no Host',
    send: `GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n${SMUGGLED}`,
    forwards: 2,
  },
  {
    name: 'a CONNECT needs no Host: its target is the authority',
    send: `CONNECT a.test:443 HTTP/1.1\r\n\r\n`,
  },
  {
    name: 'an empty Host is a Host (RFC 9112 §3.2: a target without an authority)',
    send: `GET / HTTP/1.1\r\nHost:\r\n\r\n${SMUGGLED}`,
    forwards: 2,
  },
];

const INVALID: [what: string, host: string][] = [
  ['a space', 'a b'],
  ['a list', 'a, b'],
  ['a tab', 'a\tb'],
  ['a path', 'a/b'],
  ['userinfo', 'user@a'],
  ['a query', 'a?b'],
  ['a fragment', 'a#b'],
  ['quotes', '"a"'],
  ['a backslash', 'a\\b'],
  ['angle brackets', '<a>'],
  ['braces', '{a}'],
  ['a caret', 'a^b'],
  ['a pipe', 'a|b'],
  ['a backtick', 'a`b'],
  ['obs-text', '\xe9.test'],
];

const VALID: [what: string, host: string][] = [
  ['a port', 'a.test:8080'],
  ['an IPv6 literal and port', '[::1]:8080'],
  ['an IPv6 zone', '[fe80::1%25eth0]'],
  ['an upper-case name', 'A.TEST'],
  ['sub-delims, which Go allows', "a!$&'()*+,;=b"],
  ['an underscore and a tilde', 'a_b~c'],
];

describe('Duplicate Host fields through the proxy', () => {
  for (const attack of DUPLICATES) it(attack.name, () => smuggles(attack));
});

describe('A missing Host field through the proxy', () => {
  for (const attack of MISSING) it(attack.name, () => smuggles(attack));
});

describe('Host values through the proxy (Go: httpguts.ValidHostHeader)', () => {
  for (const [what, host] of INVALID) {
    it(`refuses a Host with ${what}`, () =>
      smuggles({ name: what, send: withHost(host), rejects: 400 }));
  }
  for (const [what, host] of VALID) {
    it(`forwards a Host with ${what}`, () =>
      smuggles({ name: what, send: withHost(host), forwards: 2 }));
  }

  it('sends the one Host field it read on to the backend', async () => {
    const exchange = await sendThroughProxy(withHost('[::1]:8080'), 2);
    const [request] = parseMessages('request', exchange.backend[0]!).messages;
    expect(request!.headers.filter(([name]) => name.toLowerCase() === 'host')).toEqual([
      ['Host', '[::1]:8080'],
    ]);
  });
});
