/**
 * Request smuggling through the proxy, body framing: CL.TE, TE.CL, TE.TE
 * obfuscations and Content-Length tricks. Each row is a literal byte
 * string a client sends; `smuggles` checks that the proxy either refuses
 * it before any of it reaches the backend, or forwards exactly the
 * requests it read, framed so that a strict parser and llhttp agree.
 */
import { afterEach, describe, it } from 'vitest';
import { cleanup } from '../e2e/e2e-harness.js';
import { type Attack, smuggles } from './smuggling-harness.js';

afterEach(cleanup);

const POST = 'POST / HTTP/1.1\r\nHost: a\r\n';
const SMUGGLED = 'GET /admin HTTP/1.1\r\nHost: a\r\n\r\n';
const CHUNKED_HELLO = '5\r\nhello\r\n0\r\n\r\n';

/** te sends a POST with the given Transfer-Encoding line(s) and a chunked body followed by a smuggled request. */
function te(lines: string): string {
  return `${POST}${lines}\r\n${CHUNKED_HELLO}${SMUGGLED}`;
}

const CL_TE: Attack[] = [
  {
    name: 'CL.TE: Content-Length then Transfer-Encoding: chunked, a byte left after the last chunk',
    send: `${POST}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG`,
    rejects: 400,
  },
  {
    name: 'CL.TE: a whole request hidden after the last chunk',
    send: `${POST}Content-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
    rejects: 400,
  },
  {
    name: 'TE.CL: Transfer-Encoding then Content-Length: 4, a request inside the chunk',
    send:
      `${POST}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n` +
      `5c\r\nGPOST / HTTP/1.1\r\nContent-Type: x\r\nContent-Length: 15\r\n\r\nx=1\r\n0\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'TE.CL: Content-Length: 0 next to chunked',
    send: `${POST}Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n${CHUNKED_HELLO}`,
    rejects: 400,
  },
  {
    name: 'CL.TE with Transfer-Encoding: identity',
    send: `${POST}Content-Length: 5\r\nTransfer-Encoding: identity\r\n\r\nhello`,
    rejects: 400,
  },
  {
    name: 'CL.TE with an obfuscated Transfer-Encoding: xchunked',
    send: `${POST}Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n\r\nhello`,
    rejects: 400,
  },
  {
    name: 'TE.CL with the Content-Length in the trailer section',
    send: `${POST}Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 40\r\n\r\n${SMUGGLED}`,
    rejects: 400,
  },
  {
    name: 'a Transfer-Encoding field in the trailer section',
    send: `${POST}Transfer-Encoding: chunked\r\n\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'CL.TE with Transfer-Encoding hidden in an obs-fold of another field',
    send: `${POST}Content-Length: 3\r\nX: a\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'CL.TE with Transfer-Encoding behind a bare LF in another field',
    send: `${POST}X: a\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`,
    rejects: 400,
  },
  {
    name: 'a request after the last chunk is a second request the proxy sees',
    send: te('Transfer-Encoding: chunked\r\n'),
    forwards: 2,
  },
  {
    name: 'a request inside a Content-Length body stays body',
    send: `${POST}Content-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  },
  {
    name: 'a request inside a chunk stays body',
    send: `${POST}Transfer-Encoding: chunked\r\n\r\n${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`,
  },
];

const TE_TE: Attack[] = [
  {
    name: 'TE.TE: Transfer-Encoding: xchunked',
    send: te('Transfer-Encoding: xchunked\r\n'),
    rejects: 501,
  },
  {
    name: 'TE.TE: Transfer-Encoding: chunk',
    send: te('Transfer-Encoding: chunk\r\n'),
    rejects: 501,
  },
  { name: 'TE.TE: a quoted "chunked"', send: te('Transfer-Encoding: "chunked"\r\n'), rejects: 501 },
  {
    name: 'TE.TE: chunked with a parameter',
    send: te('Transfer-Encoding: chunked;q=1\r\n'),
    rejects: 501,
  },
  {
    name: 'TE.TE: chunked followed by a tab',
    send: te('Transfer-Encoding: chunked\t\r\n'),
    rejects: 501,
  },
  {
    name: 'TE.TE: chunked followed by obs-text',
    send: te('Transfer-Encoding: chunked\xff\r\n'),
    rejects: 501,
  },
  {
    name: 'TE.TE: chunked, identity',
    send: te('Transfer-Encoding: chunked, identity\r\n'),
    rejects: 400,
  },
  {
    name: 'TE.TE: chunked with a trailing comma',
    send: te('Transfer-Encoding: chunked,\r\n'),
    rejects: 400,
  },
  {
    name: 'TE.TE: chunked then a second Transfer-Encoding: x',
    send: te('Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n'),
    rejects: 400,
  },
  {
    name: 'TE.TE: Transfer-Encoding: chunked twice',
    send: te('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n'),
    rejects: 400,
  },
  // Go's parseTransferEncoding: one Transfer-Encoding line, exactly chunked, else 501.
  {
    name: 'TE.TE: identity, chunked',
    send: te('Transfer-Encoding: identity, chunked\r\n'),
    rejects: 501,
  },
  {
    name: 'TE.TE: gzip, chunked, which llhttp reads as chunked, is never forwarded still coded',
    send: te('Transfer-Encoding: gzip, chunked\r\n'),
    rejects: 501,
  },
  {
    name: 'TE.TE: an empty element before chunked',
    send: te('Transfer-Encoding: ,chunked\r\n'),
    rejects: 501,
  },
  {
    name: 'TE.TE: Transfer-Encoding: x then a second Transfer-Encoding: chunked',
    send: te('Transfer-Encoding: x\r\nTransfer-Encoding: chunked\r\n'),
    rejects: 501,
  },
  {
    name: 'TE.TE: an empty Transfer-Encoding then chunked',
    send: te('Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n'),
    rejects: 501,
  },
  {
    name: 'TE.TE: gzip, chunked on an HTTP/1.0 request',
    send: `POST / HTTP/1.0\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${CHUNKED_HELLO}`,
    rejects: 501,
  },
  {
    name: 'TE.TE: gzip, chunked after a good request: the first is answered, then 501',
    send: `${POST}Content-Length: 0\r\n\r\n${te('Transfer-Encoding: gzip, chunked\r\n')}`,
    forwards: 1,
    rejects: 501,
  },
  { name: 'TE.TE: CHUNKED in upper case', send: te('Transfer-Encoding: CHUNKED\r\n'), forwards: 2 },
  {
    name: 'TE.TE: the field name in odd case',
    send: te('tRaNsFeR-eNcOdInG: chunked\r\n'),
    forwards: 2,
  },
  {
    name: 'TE.TE: spaces before chunked',
    send: te('Transfer-Encoding:    chunked\r\n'),
    forwards: 2,
  },
  { name: 'TE.TE: a tab before chunked', send: te('Transfer-Encoding:\tchunked\r\n'), forwards: 2 },
  {
    name: 'TE.TE: a vertical tab before chunked',
    send: te('Transfer-Encoding: \x0bchunked\r\n'),
    rejects: 400,
  },
  {
    name: 'TE.TE: a vertical tab after chunked',
    send: te('Transfer-Encoding: chunked\x0b\r\n'),
    rejects: 400,
  },
  {
    name: 'TE.TE: a form feed before chunked',
    send: te('Transfer-Encoding:\x0cchunked\r\n'),
    rejects: 400,
  },
  {
    name: 'TE.TE: a NUL after chunked',
    send: te('Transfer-Encoding: chunked\x00\r\n'),
    rejects: 400,
  },
  {
    name: 'TE.TE: chunked in an obs-fold (space)',
    send: te('Transfer-Encoding:\r\n chunked\r\n'),
    rejects: 400,
  },
  {
    name: 'TE.TE: chunked in an obs-fold (tab)',
    send: te('Transfer-Encoding: x\r\n\tchunked\r\n'),
    rejects: 400,
  },
  {
    name: 'TE.TE: a space before the colon',
    send: te('Transfer-Encoding : chunked\r\n'),
    rejects: 400,
  },
  {
    name: 'TE.TE: a tab before the colon',
    send: te('Transfer-Encoding\t: chunked\r\n'),
    rejects: 400,
  },
  {
    name: 'TE.TE: a space before the first field line',
    send: `POST / HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: a\r\n\r\n${CHUNKED_HELLO}`,
    rejects: 400,
  },
  {
    name: 'TE.TE: Transfer_Encoding is another field, so the chunk is a bad next request',
    send: te('Transfer_Encoding: chunked\r\n'),
    forwards: 1,
    rejects: 400,
  },
];

const CONTENT_LENGTH: Attack[] = [
  {
    name: 'Content-Length twice with the same value',
    send: `${POST}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`,
    rejects: 400,
  },
  {
    name: 'Content-Length twice with different values',
    send: `${POST}Content-Length: 5\r\nContent-Length: 40\r\n\r\nhello${SMUGGLED}`,
    rejects: 400,
  },
  { name: 'Content-Length: 5, 5', send: `${POST}Content-Length: 5, 5\r\n\r\nhello`, rejects: 400 },
  { name: 'Content-Length: 5,40', send: `${POST}Content-Length: 5,40\r\n\r\nhello`, rejects: 400 },
  { name: 'Content-Length: +5', send: `${POST}Content-Length: +5\r\n\r\nhello`, rejects: 400 },
  { name: 'Content-Length: -5', send: `${POST}Content-Length: -5\r\n\r\nhello`, rejects: 400 },
  { name: 'Content-Length: 0x5', send: `${POST}Content-Length: 0x5\r\n\r\nhello`, rejects: 400 },
  { name: 'Content-Length: 5.0', send: `${POST}Content-Length: 5.0\r\n\r\nhello`, rejects: 400 },
  { name: 'Content-Length: 1e3', send: `${POST}Content-Length: 1e3\r\n\r\nhello`, rejects: 400 },
  { name: 'Content-Length: 5 5', send: `${POST}Content-Length: 5 5\r\n\r\nhello`, rejects: 400 },
  { name: 'an empty Content-Length', send: `${POST}Content-Length:\r\n\r\nhello`, rejects: 400 },
  {
    name: 'Content-Length followed by a tab',
    send: `${POST}Content-Length: 5\t\r\n\r\nhello`,
    rejects: 400,
  },
  {
    name: 'Content-Length with a NUL',
    send: `${POST}Content-Length: 5\x00\r\n\r\nhello`,
    rejects: 400,
  },
  {
    name: 'a space before the colon of Content-Length',
    send: `${POST}Content-Length : 5\r\n\r\nhello`,
    rejects: 400,
  },
  {
    name: 'Content-Length in an obs-fold',
    send: `${POST}Content-Length:\r\n 5\r\n\r\nhello`,
    rejects: 400,
  },
  {
    name: 'Content-Length over 64 bits',
    send: `${POST}Content-Length: 18446744073709551616\r\n\r\nhello`,
    rejects: 400,
  },
  {
    name: 'Content-Length of 2^64 - 1, too large to count exactly',
    send: `${POST}Content-Length: 18446744073709551615\r\n\r\nhello`,
    rejects: 413,
  },
  {
    name: 'Content-Length of 2^53 + 1, which a double rounds',
    send: `${POST}Content-Length: 9007199254740993\r\n\r\nhello`,
    rejects: 413,
  },
  {
    name: 'Content-Length with leading zeros',
    send: `${POST}Content-Length: 005\r\n\r\nhello${SMUGGLED}`,
    forwards: 2,
  },
  {
    name: 'Content-Length with trailing spaces',
    send: `${POST}Content-Length: 5  \r\n\r\nhello${SMUGGLED}`,
    forwards: 2,
  },
  {
    name: 'Content-Length with leading spaces',
    send: `${POST}Content-Length:   5\r\n\r\nhello${SMUGGLED}`,
    forwards: 2,
  },
  {
    name: 'Content-Length on a GET carries its body',
    send: `GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello${SMUGGLED}`,
    forwards: 2,
  },
  {
    name: 'Content-Length on a GET whose body is a request',
    send: `GET / HTTP/1.1\r\nHost: a\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  },
  {
    name: 'Content-Length on a HEAD carries its body',
    send: `HEAD / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello${SMUGGLED}`,
    forwards: 2,
  },
  {
    name: 'Content-Length: 0 then a pipelined request',
    send: `${POST}Content-Length: 0\r\n\r\n${SMUGGLED}`,
    forwards: 2,
  },
];

describe('CL.TE and TE.CL through the proxy', () => {
  for (const attack of CL_TE) it(attack.name, () => smuggles(attack));
});

describe('TE.TE obfuscations through the proxy', () => {
  for (const attack of TE_TE) it(attack.name, () => smuggles(attack));
});

describe('Content-Length tricks through the proxy', () => {
  for (const attack of CONTENT_LENGTH) it(attack.name, () => smuggles(attack));
});
