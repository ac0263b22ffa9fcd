/**
 * A small server that answers every request with what httpwire's parser read
 * from the wire: start line, headers in wire order and body size. It is what
 * `npm start` runs until the reverse proxy lands, and a worked example of
 * driving `Parser` over raw sockets with keep-alive and pipelining.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { ParseError } from '../errors.js';
import { Parser } from '../parser/parser.js';
import type { MessageHead } from '../parser/types.js';

/** startParserEchoServer listens on `host:port` and resolves once bound. */
export function startParserEchoServer(port: number, host: string): Promise<Server> {
  const server = createServer(serveSocket);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function serveSocket(socket: Socket): void {
  let head: MessageHead | null = null;
  let bodyBytes = 0;
  let closing = false;
  const parser = new Parser('request', {
    onHeadersComplete(h) {
      head = h;
      bodyBytes = 0;
    },
    onBody(chunk) {
      bodyBytes += chunk.length;
    },
    onMessageComplete() {
      const h = head!;
      const keepAlive = h.shouldKeepAlive && !h.upgrade;
      socket.write(describe(h, bodyBytes, keepAlive));
      if (!keepAlive) {
        closing = true;
        parser.pause();
        socket.end();
      }
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (closing) return;
    try {
      parser.execute(chunk);
    } catch (err) {
      const code = err instanceof ParseError ? err.code : 'HPE_USER';
      const status =
        code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      const text = `${code}\n`;
      closing = true;
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`,
      );
    }
  });
  socket.on('end', () => {
    if (!closing) socket.end();
  });
  socket.on('error', () => socket.destroy());
}

function describe(h: MessageHead, bodyBytes: number, keepAlive: boolean): string {
  const lines = [
    `${h.method} ${h.url} HTTP/${h.versionMajor}.${h.versionMinor}`,
    ...h.headers.map(([name, value]) => `${name}: ${value}`),
    '',
    `body: ${bodyBytes} bytes, keep-alive: ${keepAlive}`,
    '',
    'parsed by httpwire/parser',
    '',
  ];
  const body = Buffer.from(lines.join('\n'), 'latin1');
  const connection = keepAlive ? '' : 'Connection: close\r\n';
  return `HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=latin1\r\nContent-Length: ${body.length}\r\n${connection}\r\n${body.toString('latin1')}`;
}
