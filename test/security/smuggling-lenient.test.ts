/**
 * Request smuggling through a proxy whose Server reads requests with
 * llhttp's lenient flags. Leniency lets the proxy accept bytes that other
 * parsers read differently, which is a risk between the proxy and a hop in
 * front of it (docs/parser.md, docs/security.md); behind it, the proxy
 * re-frames every request, so the backend still reads exactly the requests
 * the (lenient) proxy saw. Bytes that only a lenient parser accepts never
 * reach the backend: the writers check every line again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LENIENT_FLAGS, parseMessages } from '../../src/parser/index.js';
import { cleanup } from '../e2e/e2e-harness.js';
import { type Attack, sendThroughProxy, smuggles } from './smuggling-harness.js';

afterEach(cleanup);

const SMUGGLED = 'GET /admin HTTP/1.1\r\nHost: a\r\n\r\n';
const POST = 'POST / HTTP/1.1\r\nHost: a\r\n';

const LENIENT: Attack[] = [
  {
    name: 'CHUNKED_LENGTH: CL.TE is read as chunked and re-sent without the Content-Length',
    send: `${POST}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
    lenient: LENIENT_FLAGS.CHUNKED_LENGTH,
    forwards: 2,
  },
  {
    name: 'CHUNKED_LENGTH: TE.CL is read as chunked and re-sent without the Content-Length',
    send: `${POST}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`,
    lenient: LENIENT_FLAGS.CHUNKED_LENGTH,
    forwards: 2,
  },
  {
    name: 'HEADERS: an obs-fold hiding Transfer-Encoding is one field value, re-sent on one line',
    send: `${POST}X: a\r\n Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n${SMUGGLED}`,
    lenient: LENIENT_FLAGS.HEADERS,
    forwards: 2,
  },
  {
    name: 'HEADERS: a space before the first field line',
    send: `GET / HTTP/1.1\r\n Host: a\r\n\r\n${SMUGGLED}`,
    lenient: LENIENT_FLAGS.HEADERS,
    forwards: 2,
  },
  {
    name: 'OPTIONAL_CR_BEFORE_LF: a bare LF before Transfer-Encoding',
    send: `${POST}X: a\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`,
    lenient: LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF,
    forwards: 2,
  },
  {
    name: 'OPTIONAL_LF_AFTER_CR: a bare CR ending the head starts a second request',
    send: `GET / HTTP/1.1\r\nHost: a\r\n\r${SMUGGLED}`,
    lenient: LENIENT_FLAGS.OPTIONAL_LF_AFTER_CR,
    forwards: 2,
  },
  {
    name: 'OPTIONAL_CRLF_AFTER_CHUNK: chunk data run together is re-chunked',
    send: `${POST}Transfer-Encoding: chunked\r\n\r\n1\r\nA1\r\nB\r\n0\r\n\r\n${SMUGGLED}`,
    lenient: LENIENT_FLAGS.OPTIONAL_CRLF_AFTER_CHUNK,
    forwards: 2,
  },
  {
    name: 'SPACES_AFTER_CHUNK_SIZE: padded chunk sizes are re-chunked',
    send: `${POST}Transfer-Encoding: chunked\r\n\r\n5 \t \r\nhello\r\n0 ;x\r\n\r\n${SMUGGLED}`,
    lenient: LENIENT_FLAGS.SPACES_AFTER_CHUNK_SIZE,
    forwards: 2,
  },
  {
    name: 'TRANSFER_ENCODING: chunked, gzip is still refused by the connection: 501',
    send: `${POST}Transfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    lenient: LENIENT_FLAGS.TRANSFER_ENCODING,
    rejects: 501,
  },
  {
    name: 'VERSION: HTTP/1.2 goes on as HTTP/1.1',
    send: `GET / HTTP/1.2\r\nHost: a\r\n\r\n${SMUGGLED}`,
    lenient: LENIENT_FLAGS.VERSION,
    forwards: 2,
  },
  {
    name: 'VERSION: HTTP/3.0 is still refused',
    send: `GET / HTTP/3.0\r\nHost: a\r\n\r\n`,
    lenient: LENIENT_FLAGS.VERSION,
    rejects: 505,
  },
  {
    name: 'KEEP_ALIVE: the server still reads nothing after Connection: close',
    send: `GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n${SMUGGLED}`,
    lenient: LENIENT_FLAGS.KEEP_ALIVE | LENIENT_FLAGS.DATA_AFTER_CLOSE,
  },
];

describe('Lenient parsing in front of the proxy, re-framed behind it', () => {
  for (const attack of LENIENT) it(attack.name, () => smuggles(attack));

  const refusedByWriters: [name: string, send: string][] = [
    ['HEADERS: a NUL in a field value', `GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n`],
    ['HEADERS: DEL in a field value', `GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n`],
    [
      'HEADERS: a space before the colon of Content-Length',
      `${POST}Content-Length : 5\r\n\r\nhello`,
    ],
  ];
  for (const [name, send] of refusedByWriters) {
    it(`${name} is read, but never written to the backend: 502`, async () => {
      const lenient = LENIENT_FLAGS.HEADERS;
      expect(
        parseMessages('request', Buffer.from(send, 'latin1'), { lenient }).messages,
      ).toHaveLength(1);
      const exchange = await sendThroughProxy(send, 1, { server: { lenient } });
      const answers = parseMessages('response', exchange.client).messages;
      expect(answers.map((m) => m.status)).toEqual([502]);
      expect(exchange.backend.map((b) => b.length)).toEqual(exchange.backend.map(() => 0));
      expect(exchange.logs.join('\n')).toContain('invalid');
    });
  }
});
