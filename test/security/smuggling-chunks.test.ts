/**
 * Request smuggling through the proxy, chunk-size tricks: each row sends a
 * chunked POST whose chunk lines are malformed or unusual, followed by a
 * request to smuggle. See smuggling-harness.ts for what `smuggles` checks.
 */
import { afterEach, describe, it } from 'vitest';
import { cleanup } from '../e2e/e2e-harness.js';
import { type Attack, smuggles } from './smuggling-harness.js';

afterEach(cleanup);

const CHUNKED = 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n';
const SMUGGLED = 'GET /admin HTTP/1.1\r\nHost: a\r\n\r\n';

/** chunks sends a chunked POST with `body` as its chunked body, then a request to smuggle. */
function chunks(body: string): string {
  return CHUNKED + body + SMUGGLED;
}

const CHUNK_SIZES: Attack[] = [
  { name: 'a chunk size with 0x', send: chunks('0x5\r\nhello\r\n0\r\n\r\n'), rejects: 400 },
  { name: 'a negative chunk size', send: chunks('-5\r\nhello\r\n0\r\n\r\n'), rejects: 400 },
  { name: 'a chunk size with a plus sign', send: chunks('+5\r\nhello\r\n0\r\n\r\n'), rejects: 400 },
  {
    name: 'a chunk size overflowing 64 bits (ffffffffffffffff1)',
    send: chunks('ffffffffffffffff1\r\nhello\r\n0\r\n\r\n'),
    rejects: 400,
  },
  {
    name: 'a chunk size overflowing to a small one (10000000000000005)',
    send: chunks('10000000000000005\r\nhello\r\n0\r\n\r\n'),
    rejects: 400,
  },
  { name: 'a space after the chunk size', send: chunks('5 \r\nhello\r\n0\r\n\r\n'), rejects: 400 },
  { name: 'a tab after the chunk size', send: chunks('5\t\r\nhello\r\n0\r\n\r\n'), rejects: 400 },
  { name: 'a space before the chunk size', send: chunks(' 5\r\nhello\r\n0\r\n\r\n'), rejects: 400 },
  {
    name: 'a space before a chunk extension',
    send: chunks('5 ;x\r\nhello\r\n0\r\n\r\n'),
    rejects: 400,
  },
  { name: 'an empty chunk extension (5;)', send: chunks('5;\r\nhello\r\n0\r\n\r\n'), rejects: 400 },
  { name: 'a space after the semicolon', send: chunks('5; x\r\nhello\r\n0\r\n\r\n'), rejects: 400 },
  {
    name: 'a NUL in a chunk extension',
    send: chunks('5;x\x00\r\nhello\r\n0\r\n\r\n'),
    rejects: 400,
  },
  {
    name: 'a CRLF inside a quoted chunk extension',
    send: chunks('5;x="a\r\nb"\r\nhello\r\n0\r\n\r\n'),
    rejects: 400,
  },
  { name: 'an empty chunk size line', send: chunks('\r\nhello\r\n0\r\n\r\n'), rejects: 400 },
  { name: 'a chunk size in words', send: chunks('five\r\nhello\r\n0\r\n\r\n'), rejects: 400 },
  {
    name: 'chunk extensions are dropped and the chunk re-framed',
    send: chunks('5;x=1;y="a\\"b"\r\nhello\r\n0;z\r\n\r\n'),
    forwards: 2,
  },
  {
    name: 'leading zeros beyond 16 digits are harmless',
    send: chunks('00000000000000000000005\r\nhello\r\n0\r\n\r\n'),
    forwards: 2,
  },
  { name: 'upper-case hex sizes', send: chunks('A\r\n0123456789\r\n0\r\n\r\n'), forwards: 2 },
  {
    name: 'many one-byte chunks',
    send: chunks('1\r\nh\r\n1\r\ni\r\n1\r\n!\r\n0\r\n\r\n'),
    forwards: 2,
  },
];

const CHUNK_LINES: Attack[] = [
  { name: 'a bare LF after the chunk size', send: chunks('5\nhello\r\n0\r\n\r\n'), rejects: 400 },
  { name: 'a bare CR after the chunk size', send: chunks('5\rhello\r\n0\r\n\r\n'), rejects: 400 },
  { name: 'LF-only chunk lines throughout', send: chunks('5\nhello\n0\n\n'), rejects: 400 },
  { name: 'no CRLF after the chunk data', send: chunks('5\r\nhello0\r\n\r\n'), rejects: 400 },
  { name: 'a bare LF after the chunk data', send: chunks('5\r\nhello\n0\r\n\r\n'), rejects: 400 },
  {
    name: 'chunk data longer than its size',
    send: chunks('3\r\nhello\r\n0\r\n\r\n'),
    rejects: 400,
  },
  {
    name: 'chunk data shorter than its size',
    send: chunks('7\r\nhello\r\n0\r\n\r\n'),
    rejects: 400,
  },
  { name: 'a bare LF ending the trailer section', send: chunks('0\r\n\n'), rejects: 400 },
  {
    name: 'a bare LF inside the trailer section',
    send: chunks('0\r\nX: a\nY: b\r\n\r\n'),
    rejects: 400,
  },
  { name: 'a NUL in a trailer value', send: chunks('0\r\nX: a\x00\r\n\r\n'), rejects: 400 },
  {
    name: 'an obs-fold in the trailer section',
    send: chunks('0\r\nX: a\r\n b\r\n\r\n'),
    rejects: 400,
  },
  {
    name: 'a trailer field that looks like a request line stays a trailer',
    send: chunks('5\r\nhello\r\n0\r\nX: GET /admin HTTP/1.1\r\n\r\n'),
    forwards: 2,
  },
];

describe('Chunk-size tricks through the proxy', () => {
  for (const attack of CHUNK_SIZES) it(attack.name, () => smuggles(attack));
});

describe('Chunk line endings through the proxy', () => {
  for (const attack of CHUNK_LINES) it(attack.name, () => smuggles(attack));
});
