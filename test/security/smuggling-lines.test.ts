/**
 * Request smuggling through the proxy, line syntax: bare CR and LF,
 * obs-fold, whitespace before the colon, NUL and other bytes that are not
 * allowed, field names that are not tokens, request-line tricks and
 * HTTP/0.9 and 1.0 oddities. See smuggling-harness.ts for what `smuggles`
 * checks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessages } from '../../src/parser/index.js';
import { cleanup } from '../e2e/e2e-harness.js';
import { type Attack, sendThroughProxy, smuggles } from './smuggling-harness.js';

afterEach(cleanup);

const SMUGGLED = 'GET /admin HTTP/1.1\r\nHost: a\r\n\r\n';

/** get sends a GET whose head holds `lines` (each ending in CRLF), then a request to smuggle. */
function get(lines: string): string {
  return `GET / HTTP/1.1\r\nHost: a\r\n${lines}\r\n${SMUGGLED}`;
}

const BARE_CR_LF: Attack[] = [
  {
    name: 'a bare CR ending the request line',
    send: `GET / HTTP/1.1\rHost: a\r\n\r\n`,
    rejects: 400,
  },
  // llhttp reports a bare LF after the version as HPE_INVALID_VERSION: a malformed line, 400 (not 505).
  {
    name: 'a bare LF ending the request line',
    send: `GET / HTTP/1.1\nHost: a\r\n\r\n`,
    rejects: 400,
  },
  { name: 'a bare CR in the request-target', send: `GET /a\rb HTTP/1.1\r\n\r\n`, rejects: 400 },
  { name: 'a bare LF in the request-target', send: `GET /a\nb HTTP/1.1\r\n\r\n`, rejects: 400 },
  {
    name: 'a bare LF ending a field line',
    send: get('X: a\nTransfer-Encoding: chunked\r\n'),
    rejects: 400,
  },
  {
    name: 'a bare CR inside a field value',
    send: get('X: a\rContent-Length: 5\r\n'),
    rejects: 400,
  },
  { name: 'a bare CR ending a field line', send: get('X: a\r'), rejects: 400 },
  {
    name: 'a bare CR after an empty field value',
    send: get('X:\rContent-Length: 5\r\n'),
    rejects: 400,
  },
  {
    name: 'a bare LF ending the head',
    send: `GET / HTTP/1.1\r\nHost: a\r\n\n${SMUGGLED}`,
    rejects: 400,
  },
  {
    name: 'a bare CR ending the head',
    send: `GET / HTTP/1.1\r\nHost: a\r\n\r${SMUGGLED}`,
    rejects: 400,
  },
  {
    name: 'LF-only line endings throughout',
    send: `GET / HTTP/1.1\nHost: a\n\n${SMUGGLED}`,
    rejects: 400,
  },
  {
    name: 'empty lines before the request line are skipped',
    send: `\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n${SMUGGLED}`,
    forwards: 2,
  },
];

const FOLDS_AND_COLONS: Attack[] = [
  { name: 'obs-fold with a space', send: get('X: a\r\n b\r\n'), rejects: 400 },
  { name: 'obs-fold with a tab', send: get('X: a\r\n\tb\r\n'), rejects: 400 },
  {
    name: 'obs-fold of the Host field',
    send: `GET / HTTP/1.1\r\nHost: a\r\n .evil\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'a space before the first field line',
    send: `GET / HTTP/1.1\r\n Host: a\r\n\r\n`,
    rejects: 400,
  },
  { name: 'a space before the colon', send: get('X-Forwarded-For : 1.2.3.4\r\n'), rejects: 400 },
  { name: 'a tab before the colon', send: get('X-Forwarded-For\t: 1.2.3.4\r\n'), rejects: 400 },
  {
    name: 'a space before the colon of Host',
    send: `GET / HTTP/1.1\r\nHost : a\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'a space before the colon of Connection',
    send: get('Connection : close\r\n'),
    rejects: 400,
  },
  { name: 'a colon inside a field value is value', send: get('X: Y: z\r\n'), forwards: 2 },
];

const BAD_BYTES: Attack[] = [
  { name: 'a NUL before the request line', send: `\x00GET / HTTP/1.1\r\n\r\n`, rejects: 400 },
  { name: 'a NUL in the method', send: `GE\x00T / HTTP/1.1\r\n\r\n`, rejects: 400 },
  { name: 'a NUL in the request-target', send: `GET /a\x00b HTTP/1.1\r\n\r\n`, rejects: 400 },
  { name: 'a NUL after the version', send: `GET / HTTP/1.1\x00\r\n\r\n`, rejects: 400 },
  { name: 'a NUL in a field name', send: get('X\x00Y: a\r\n'), rejects: 400 },
  { name: 'a NUL in a field value', send: get('X: a\x00b\r\n'), rejects: 400 },
  { name: 'a NUL ending a field value', send: get('Host2: a\x00\r\n'), rejects: 400 },
  { name: 'a control character in a field value', send: get('X: a\x01b\r\n'), rejects: 400 },
  { name: 'DEL in a field value', send: get('X: a\x7fb\r\n'), rejects: 400 },
  { name: 'an escape sequence in a field value', send: get('X: \x1b[31mred\r\n'), rejects: 400 },
  { name: 'obs-text in a field value is kept', send: get('X: caf\xe9\xff\r\n'), forwards: 2 },
  { name: 'obs-text in the request-target', send: `GET /caf\xe9 HTTP/1.1\r\n\r\n`, rejects: 400 },
  { name: 'a space inside the request-target', send: `GET /a b HTTP/1.1\r\n\r\n`, rejects: 400 },
];

const FIELD_NAMES: Attack[] = [
  { name: 'a space inside a field name', send: get('X Y: a\r\n'), rejects: 400 },
  { name: 'a double quote in a field name', send: get('X"Y: a\r\n'), rejects: 400 },
  { name: 'parentheses in a field name', send: get('(X): a\r\n'), rejects: 400 },
  { name: 'an @ in a field name', send: get('X@Y: a\r\n'), rejects: 400 },
  { name: 'a slash in a field name', send: get('X/Y: a\r\n'), rejects: 400 },
  { name: 'brackets in a field name', send: get('X[0]: a\r\n'), rejects: 400 },
  { name: 'a non-ASCII field name', send: get('X\xe9: a\r\n'), rejects: 400 },
  { name: 'an empty field name', send: get(': a\r\n'), rejects: 400 },
  { name: 'a field line with no colon', send: get('Transfer-Encoding chunked\r\n'), rejects: 400 },
];

const REQUEST_LINES: Attack[] = [
  { name: 'a word after the version', send: `GET /a HTTP/1.1 x\r\nHost: a\r\n\r\n`, rejects: 400 },
  { name: 'a lower-case protocol name', send: `GET / http/1.1\r\n\r\n`, rejects: 400 },
  { name: 'a lower-case method', send: `get / HTTP/1.1\r\n\r\n`, rejects: 400 },
  { name: 'an unknown method', send: `GETS / HTTP/1.1\r\n\r\n`, rejects: 400 },
  { name: 'a tab between method and target', send: `GET\t/ HTTP/1.1\r\n\r\n`, rejects: 400 },
  {
    name: 'a double @ in an absolute-form target',
    send: `GET http://a@@b/ HTTP/1.1\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'several spaces between the parts',
    send: `GET  /a   HTTP/1.1\r\nHost: a\r\n\r\n${SMUGGLED}`,
    forwards: 2,
  },
  {
    name: 'an absolute-form target with a different Host field',
    send: `GET http://evil.test/a HTTP/1.1\r\nHost: good.test\r\n\r\n${SMUGGLED}`,
    forwards: 2,
  },
  {
    name: 'an absolute-form target with userinfo',
    send: `GET http://good.test@evil.test/a HTTP/1.1\r\nHost: good.test\r\n\r\n`,
  },
  {
    name: 'an absolute-form target with only a query',
    send: `GET http://evil.test?x=1 HTTP/1.1\r\nHost: a\r\n\r\n`,
  },
  {
    name: 'an asterisk-form OPTIONS',
    send: `OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n${SMUGGLED}`,
    forwards: 2,
  },
];

const VERSIONS: Attack[] = [
  { name: 'an HTTP/0.9 request', send: `GET /\r\n\r\n${SMUGGLED}`, rejects: 505 },
  {
    name: 'an HTTP/0.9 request line with a Content-Length head',
    send: `GET /\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    rejects: 505,
  },
  { name: 'an HTTP/0.9 request ending in a bare LF', send: `GET /\n\n${SMUGGLED}`, rejects: 400 },
  { name: 'an explicit HTTP/0.9 version', send: `GET / HTTP/0.9\r\n\r\n`, rejects: 505 },
  { name: 'HTTP/1.2', send: `GET / HTTP/1.2\r\nHost: a\r\n\r\n`, rejects: 505 },
  { name: 'HTTP/2.0 in a request line', send: `GET / HTTP/2.0\r\nHost: a\r\n\r\n`, rejects: 505 },
  {
    name: 'HTTP/1.10, a malformed version',
    send: `GET / HTTP/1.10\r\nHost: a\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'HTTP/x.1, a malformed version',
    send: `GET / HTTP/x.1\r\nHost: a\r\n\r\n`,
    rejects: 400,
  },
  { name: 'the HTTP/2 preface', send: `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n${SMUGGLED}`, rejects: 505 },
  {
    name: 'HTTP/1.0 without keep-alive ends the connection: the next request is not read',
    send: `GET / HTTP/1.0\r\n\r\n${SMUGGLED}`,
  },
  {
    name: 'HTTP/1.0 with keep-alive and a Content-Length body',
    send: `POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello${SMUGGLED}`,
    forwards: 2,
  },
  {
    name: 'HTTP/1.0 with Transfer-Encoding closes after the request (RFC 9112 §6.1)',
    send:
      `POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n` +
      `5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`,
  },
  {
    name: 'HTTP/1.0 with Transfer-Encoding and Content-Length',
    send: `POST / HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'Connection: close ends the connection: the next request is not read',
    send: `GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n${SMUGGLED}`,
  },
];

describe('Bare CR and LF through the proxy', () => {
  for (const attack of BARE_CR_LF) it(attack.name, () => smuggles(attack));
});

describe('obs-fold and whitespace before the colon through the proxy', () => {
  for (const attack of FOLDS_AND_COLONS) it(attack.name, () => smuggles(attack));
});

describe('NUL and other bad bytes through the proxy', () => {
  for (const attack of BAD_BYTES) it(attack.name, () => smuggles(attack));
});

describe('Field names that are not tokens through the proxy', () => {
  for (const attack of FIELD_NAMES) it(attack.name, () => smuggles(attack));
});

describe('Request-line tricks through the proxy', () => {
  for (const attack of REQUEST_LINES) it(attack.name, () => smuggles(attack));

  it("sends the absolute-form target's host as the one Host field, whatever Host said (RFC 9112 §3.2.2)", async () => {
    const exchange = await sendThroughProxy(
      'GET http://evil.test/a HTTP/1.1\r\nHost: good.test\r\n\r\n',
      1,
    );
    const [request] = parseMessages('request', exchange.backend[0]!).messages;
    expect(request!.headers.filter(([name]) => name.toLowerCase() === 'host')).toEqual([
      ['Host', 'evil.test'],
    ]);
  });
});

describe('HTTP/0.9 and HTTP/1.0 oddities through the proxy', () => {
  for (const attack of VERSIONS) it(attack.name, () => smuggles(attack));
});
