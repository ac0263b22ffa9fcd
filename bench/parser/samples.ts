/**
 * The named inputs of the parser bench. Each sample is one stream of
 * pipelined messages, built deterministically so runs compare.
 */

/** ParserSample: a stream of `messages` messages of one kind, split into `chunks`. */
export interface ParserSample {
  name: string;
  description: string;
  kind: 'request' | 'response';
  messages: number;
  bytes: number;
  /** The stream, fed one `execute` per chunk; one chunk unless sliced. */
  chunks: Buffer[];
}

/** TCP_SEGMENT is a typical TCP payload size on Ethernet (1500 MTU − 40). */
export const TCP_SEGMENT = 1460;

const PATHS = ['/', '/index.html', '/api/v1/users', '/static/app.js', '/search', '/img/logo.png'];

function whole(
  name: string,
  description: string,
  kind: ParserSample['kind'],
  messages: string[],
): ParserSample {
  const stream = Buffer.from(messages.join(''), 'latin1');
  return {
    name,
    description,
    kind,
    messages: messages.length,
    bytes: stream.length,
    chunks: [stream],
  };
}

/** sliced feeds the same stream as `sample` in `size`-byte pieces. */
export function sliced(sample: ParserSample, size: number): ParserSample {
  const stream = sample.chunks[0]!;
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
  return {
    ...sample,
    name: `${sample.name}/${size}`,
    description: `${sample.description}, in ${size}-byte slices`,
    chunks,
  };
}

/** smallGets: 64 pipelined GETs with only a Host header. */
export function smallGets(): ParserSample {
  const requests = Array.from(
    { length: 64 },
    (_, i) => `GET ${PATHS[i % PATHS.length]}?q=${i} HTTP/1.1\r\nHost: example.com\r\n\r\n`,
  );
  return whole('small-gets', '64 pipelined GETs, Host only', 'request', requests);
}

/** A ~400-byte cookie of the usual analytics and session fields. */
function cookie(i: number): string {
  const hex = (n: number) => (n * 2654435761 + i).toString(16).padStart(8, '0');
  const session = Array.from({ length: 8 }, (_, k) => hex(k + 1)).join('');
  const fields = [
    `_ga=GA1.2.${1000000000 + i}.1700000000`,
    `_gid=GA1.2.${2000000000 + i}.1700000000`,
    `session_id=${session}`,
    `csrftoken=${session.slice(0, 32)}${hex(99)}`,
    'theme=dark; lang=en-US; tz=Europe%2FBerlin',
    `_fbp=fb.1.1700000000000.${1000000000 + i}`,
    `cart=${hex(7)}-${hex(11)}-${hex(13)}`,
    `consent=analytics%3Dyes%26ads%3Dno%26v%3D${i}`,
    `recently_viewed=${hex(3)}%2C${hex(5)}%2C${hex(9)}%2C${hex(17)}`,
  ];
  return fields.join('; ');
}

/** browserRequests: 16 pipelined GETs with the 13 headers a browser sends for a page. */
export function browserRequests(): ParserSample {
  const requests = Array.from({ length: 16 }, (_, i) => {
    const path = `${PATHS[i % PATHS.length]}?page=${i}&sort=desc`;
    return (
      `GET ${path} HTTP/1.1\r\n` +
      'Host: www.example.com\r\n' +
      'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\r\n' +
      'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n' +
      'Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n' +
      'Accept-Encoding: gzip, deflate, br\r\n' +
      `Referer: https://www.example.com${PATHS[(i + 1) % PATHS.length]}\r\n` +
      `Cookie: ${cookie(i)}\r\n` +
      'Connection: keep-alive\r\n' +
      'Upgrade-Insecure-Requests: 1\r\n' +
      'Sec-Fetch-Dest: document\r\n' +
      'Sec-Fetch-Mode: navigate\r\n' +
      'Sec-Fetch-Site: same-origin\r\n' +
      'Sec-Fetch-User: ?1\r\n' +
      '\r\n'
    );
  });
  return whole(
    'browser-requests',
    '16 pipelined browser GETs, 13 headers, ~400-byte Cookie',
    'request',
    requests,
  );
}

/** body returns `size` printable bytes that differ per message. */
function body(size: number, seed: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const start = seed % alphabet.length;
  return (alphabet.slice(start) + alphabet.repeat(Math.ceil(size / alphabet.length))).slice(
    0,
    size,
  );
}

const RESPONSE_HEAD =
  'HTTP/1.1 200 OK\r\n' +
  'Date: Tue, 21 Nov 2023 05:00:00 GMT\r\n' +
  'Server: nginx/1.24.0\r\n' +
  'Content-Type: application/octet-stream\r\n' +
  'Cache-Control: max-age=3600\r\n';

/** contentLengthResponses: 16 responses with 4 KiB bodies framed by Content-Length. */
export function contentLengthResponses(): ParserSample {
  const responses = Array.from(
    { length: 16 },
    (_, i) => `${RESPONSE_HEAD}Content-Length: 4096\r\n\r\n${body(4096, i)}`,
  );
  return whole(
    'content-length-4k',
    '16 responses, 4 KiB Content-Length bodies',
    'response',
    responses,
  );
}

/** chunkedResponses: 16 chunked responses of four 1 KiB chunks and the last chunk. */
export function chunkedResponses(): ParserSample {
  const responses = Array.from({ length: 16 }, (_, i) => {
    const chunks = Array.from({ length: 4 }, (_, k) => `400\r\n${body(1024, i * 4 + k)}\r\n`);
    return `${RESPONSE_HEAD}Transfer-Encoding: chunked\r\n\r\n${chunks.join('')}0\r\n\r\n`;
  });
  return whole('chunked-4x1k', '16 chunked responses, 4 chunks of 1 KiB', 'response', responses);
}
