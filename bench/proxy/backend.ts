/**
 * Child entry: `backend.ts` starts the origin the proxies forward to, a
 * node:http server on an ephemeral port of 127.0.0.1 that keeps connections
 * alive (never times an idle one out), prints `{"port":N}` and exits when
 * its stdin ends:
 * - `GET /` answers `hello world`;
 * - `GET /big` streams BIG_BODY_BYTES with Content-Length, in 64 KiB writes
 *   that honour back-pressure.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BIG_BODY_BYTES, BIG_PATH, HELLO } from './load-shape.js';

const CHUNK = Buffer.alloc(64 * 1024, 'x');

const server = http.createServer((req, res) => {
  if (req.url === BIG_PATH) {
    streamBig(res);
    return;
  }
  res.end(HELLO);
});
server.keepAliveTimeout = 0;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.stdin.resume().on('end', () => process.exit(0));

function streamBig(res: http.ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': BIG_BODY_BYTES,
  });
  let left = BIG_BODY_BYTES;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, CHUNK.length);
      left -= n;
      if (!res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}
