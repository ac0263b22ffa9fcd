/**
 * Child entry: `backend.ts` runs the origin behind the proxy, a node:http
 * server on an ephemeral port of 127.0.0.1 serving the routes of routes.ts.
 * Its keep-alive timeout (120 s) outlasts the proxy Transport's idle timeout
 * (90 s), as a healthy deployment's does: the proxy, not the backend,
 * closes idle connections, so no request races a closing connection.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { bodyOf, bodyPieces } from './pattern.js';
import { LogCounter, reportTo } from './reporting.js';
import { ID_HEADER, readTarget, type Target } from './routes.js';

const KEEP_ALIVE_MS = 120_000;

const logs = new LogCounter();
let served = 0;
let open = 0;

const server = http.createServer((req, res) => {
  served++;
  const target = readTarget(req.url ?? '');
  if (target === null) {
    logs.add(`bad target ${req.url}`);
    res.writeHead(400).end();
    return;
  }
  res.setHeader(ID_HEADER, String(target.id));
  answer(target, req, res);
});
server.keepAliveTimeout = KEEP_ALIVE_MS;
server.on('connection', (socket) => {
  open++;
  socket.once('close', () => open--);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  reportTo(port, () => ({ ...process.memoryUsage(), open, served, logs: logs.counts() }));
});

function answer(target: Target, req: http.IncomingMessage, res: http.ServerResponse): void {
  switch (target.route) {
    case 'small':
      res.setHeader('Content-Length', target.length);
      res.end(bodyOf(target.id, target.length));
      return;
    case 'large':
      res.setHeader('Content-Length', target.length);
      void writePieces(res, bodyPieces(target.id, target.length));
      return;
    case 'chunked':
      // Piece sizes from 1 byte to 16 KiB, picked by the id.
      void writePieces(res, bodyPieces(target.id, target.length, 1 + ((target.id * 7919) % 16384)));
      return;
    case 'echo':
      echo(req, res);
      return;
    case 'slow':
      setTimeout(() => {
        if (!res.destroyed) res.end(bodyOf(target.id, target.length));
      }, target.delayMs);
      return;
    case 'close':
      res.setHeader('Connection', 'close');
      res.setHeader('Content-Length', target.length);
      res.end(bodyOf(target.id, target.length));
      return;
  }
}

/** writePieces writes a body piece by piece, waiting for `drain` when the socket is full. */
async function writePieces(res: http.ServerResponse, pieces: Iterable<Buffer>): Promise<void> {
  for (const piece of pieces) {
    if (res.destroyed) return;
    if (!res.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done).off('close', done);
          resolve();
        };
        res.on('drain', done).on('close', done);
      });
    }
  }
  if (!res.destroyed) res.end();
}

/** echo streams the request body back, with the request's Content-Length if it had one. */
function echo(req: http.IncomingMessage, res: http.ServerResponse): void {
  const length = req.headers['content-length'];
  if (length !== undefined) res.setHeader('Content-Length', length);
  pipeline(req, res, (err) => {
    if (err !== undefined && err !== null) res.destroy();
  });
}
