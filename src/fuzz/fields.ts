import type { Arbitrary } from 'fast-check';
import { fieldValue, token } from './charsets.js';
import { fc } from './fast-check.js';
import type { Field } from './model.js';

/** Header names llhttp gives a meaning to; generated fields avoid them (the framing is built apart). */
const SPECIAL_NAMES = new Set([
  'connection',
  'proxy-connection',
  'content-length',
  'transfer-encoding',
  'upgrade',
]);

/** Optional whitespace around a value (RFC 9110 §5.6.3 OWS); parsers drop it. */
export const ows = fc.constantFrom('', ' ', ' ', '  ', '\t', ' \t ');

function field(name: Arbitrary<string>, value: Arbitrary<string>): Arbitrary<Field> {
  return fc.record({ name, value, before: ows, after: ows });
}

// prettier-ignore
const REALISTIC_NAMES = [
  'Accept', 'Accept-Encoding', 'Accept-Language', 'User-Agent', 'Cookie', 'Set-Cookie',
  'Cache-Control', 'Authorization', 'X-Forwarded-For', 'X-Forwarded-Proto', 'Via', 'Date',
  'ETag', 'Content-Type', 'Referer', 'Origin', 'If-None-Match', 'Expect', 'TE', 'Trailer',
  'Keep-Alive', 'Host', 'Forwarded', 'Range', 'Server', 'Vary',
];
// prettier-ignore
const REALISTIC_VALUES = [
  'gzip, deflate, br', 'text/html; charset=utf-8', 'Mozilla/5.0 (X11; Linux x86_64)',
  'max-age=0', '*/*', 'en-US,en;q=0.9', 'session=abc; Path=/; HttpOnly', 'Basic dXNlcjpwYXNz',
  '203.0.113.7, 198.51.100.2', '1.1 proxy', 'Tue, 15 Nov 1994 08:12:31 GMT', '"33a64df5"',
  'W/"0815"', 'bytes=0-499', '100-continue', 'trailers', 'timeout=5, max=100', 'example.com:8080',
];

/**
 * Names and values that are valid yet unusual enough to trip a hand-written
 * parser: every tchar punctuation, long names, framing words in ordinary
 * fields, empty and obs-text values, quotes, commas and inner whitespace.
 */
// prettier-ignore
const HOSTILE_NAMES = [
  "!#$%&'*+-.^_`|~", 'X', 'x-content-length', 'Content-Length-X', 'Transfer-Encoding2',
  'X-Chunked', 'CONTENT_LENGTH', 'Connection-', 'Upgrade-Insecure-Requests',
  'Proxy-Authorization', 'X-'.padEnd(64, 'a'),
];
// prettier-ignore
const HOSTILE_VALUES = [
  '', 'chunked', '0', '-1', 'close', 'keep-alive', 'upgrade', 'a\t \tb', '"quoted \\" pair"',
  ',,,', ';;', '\xff\xfe\x80', 'caf\xe9', 'x'.repeat(200), '\\', 'a, chunked', '=', '%0d%0a',
];

const ordinaryName = token().filter((name) => !SPECIAL_NAMES.has(name.toLowerCase()));

/**
 * fieldArbitrary: a header or trailer field llhttp attaches no meaning to,
 * with optional whitespace around its value. Names and values are random
 * RFC 9110 tokens and field values, realistic ones seen on the web, and
 * (with `hostile`, the default) valid ones built to confuse parsers.
 */
export function fieldArbitrary(hostile = true): Arbitrary<Field> {
  const names: { weight: number; arbitrary: Arbitrary<string> }[] = [
    { weight: 3, arbitrary: ordinaryName },
    { weight: 2, arbitrary: fc.constantFrom(...REALISTIC_NAMES) },
  ];
  const values: { weight: number; arbitrary: Arbitrary<string> }[] = [
    { weight: 3, arbitrary: fieldValue() },
    { weight: 2, arbitrary: fc.constantFrom(...REALISTIC_VALUES) },
  ];
  if (hostile) {
    names.push({ weight: 1, arbitrary: fc.constantFrom(...HOSTILE_NAMES) });
    values.push({ weight: 1, arbitrary: fc.constantFrom(...HOSTILE_VALUES) });
  }
  return field(fc.oneof(...names), fc.oneof(...values));
}
