/**
 * The built-in origin `httpwire proxy` starts when no `--target` is given,
 * so that a first run shows something: it is served by httpwire's own
 * server and answers
 *   GET /          what the origin received (method, target, headers in wire order)
 *   GET /sse       three server-sent events, 200 ms apart (flushed through the proxy)
 *   POST /echo     the request body, back
 */
import type { AddressInfo } from 'node:net';
import type { ResponseWriter } from '../server/handler.js';
import type { Request } from '../message/request.js';
import { createServer, type Server } from '../server/server.js';

/** startDemoOrigin serves the demo origin on 127.0.0.1 at an ephemeral port. */
export async function startDemoOrigin(): Promise<{ server: Server; url: string }> {
  const server = createServer(serveDemo);
  const address = (await server.listen(0, '127.0.0.1')) as AddressInfo;
  return { server, url: `http://127.0.0.1:${address.port}` };
}

async function serveDemo(rw: ResponseWriter, req: Request): Promise<void> {
  const path = req.url.path;
  if (path === '/sse') return serveEvents(rw);
  if (path === '/echo') {
    const body = req.body === null ? new Uint8Array(0) : await req.body.bytes();
    rw.header().set('Content-Type', req.header.get('Content-Type') ?? 'application/octet-stream');
    await rw.write(body);
    return;
  }
  if (path !== '/') {
    rw.header().set('Content-Type', 'text/plain; charset=utf-8');
    rw.writeHeader(404);
    await rw.write(`no such page: ${path}\ntry / , /sse or POST /echo\n`);
    return;
  }
  const lines = [
    'hello from the httpwire demo origin',
    '',
    `${req.method} ${req.requestURI()} HTTP/${req.protoMajor}.${req.protoMinor}`,
    `Host: ${req.host}`,
    ...[...req.header].map(([name, value]) => `${name}: ${value}`),
    '',
  ];
  rw.header().set('Content-Type', 'text/plain; charset=utf-8');
  await rw.write(lines.join('\n'));
}

async function serveEvents(rw: ResponseWriter): Promise<void> {
  rw.header().set('Content-Type', 'text/event-stream');
  rw.header().set('Cache-Control', 'no-cache');
  rw.writeHeader(200);
  for (let i = 1; i <= 3; i++) {
    await rw.write(`id: ${i}\ndata: event ${i} of 3\n\n`);
    await rw.flush();
    if (i < 3) await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
