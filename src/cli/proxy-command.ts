#!/usr/bin/env node
/**
 * The httpwire command line: `httpwire proxy --listen HOST:PORT --target URL`
 * runs the reverse proxy with a one-line access log; without `--target` it
 * also starts a built-in demo origin. SIGINT/SIGTERM shut down gracefully.
 */
import type { AddressInfo } from 'node:net';
import { parseArgs, USAGE, UsageError } from './args.js';
import { withAccessLog } from './access-log.js';
import { startDemoOrigin } from './demo-origin.js';
import { newSingleHostReverseProxy } from '../proxy/reverse-proxy.js';
import { createServer, type Server } from '../server/server.js';

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`httpwire: ${err.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args.command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const servers: Server[] = [];
  let target = args.target;
  if (target === null) {
    const demo = await startDemoOrigin();
    servers.push(demo.server);
    target = demo.url;
  }
  const proxy = newSingleHostReverseProxy(target, { flushInterval: args.flushInterval });
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const server = createServer(withAccessLog((rw, req) => proxy.serveHTTP(rw, req), log));
  servers.unshift(server);
  let address: AddressInfo;
  try {
    address = await server.listen(args.port, args.host);
  } catch (err) {
    // The demo origin is already listening: close it, or the process would never exit.
    await Promise.all(servers.map((s) => s.close()));
    proxy.close();
    throw err;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/`;
  process.stdout.write(
    `httpwire proxy listening on ${url} -> ${target}${args.target === null ? ' (built-in demo origin)' : ''}\n` +
      `try:  curl -i ${url}${args.target === null ? `\n      curl -N ${url}sse` : ''}\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void Promise.all(servers.map((s) => s.close())).then(() => {
      proxy.close();
      // Hijacked connections (WebSockets) are not waited for, as in Go's
      // Shutdown; they would keep the process alive, so they end with it.
      process.stdout.write('', () => process.exit(0));
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`httpwire: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
