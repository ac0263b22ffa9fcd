/**
 * One forward proxy for the forward bench, in its own process: `pipe` (a
 * minimal CONNECT proxy that only pipes sockets, the floor), `proxy-chain`,
 * `httpwire` (ForwardProxy on createServer) or `httpwire-general` (the same
 * behind a function handler: CONNECT without the fast path). Prints `{"port":N}` once
 * listening, then its `process.cpuUsage()` as one JSON line for each `cpu`
 * line on stdin; it exits when stdin ends (so a `--cpu-prof` run writes its
 * profile). httpwire is the built package (dist/), as users run it.
 */
import { createServer as createNetServer, connect } from 'node:net';
import { createInterface } from 'node:readline';
import { Server as ProxyChainServer } from 'proxy-chain';
import { createServer, ForwardProxy } from '../../dist/index.js';
import { listen } from '../proxy/node-proxy-kit.js';

/** FORWARD_KINDS: the proxies this script starts. */
const FORWARD_KINDS = ['pipe', 'proxy-chain', 'httpwire', 'httpwire-general'] as const;

/** startPipe: reads one CONNECT head, dials, answers 200 and pipes both ways with half-close. */
function startPipe(): Promise<number> {
  const server = createNetServer({ noDelay: true }, (client) => {
    client.on('error', () => undefined);
    client.once('data', (chunk: Buffer) => {
      const line = chunk.toString('latin1', 0, chunk.indexOf('\r\n'));
      const [host, port] = line.split(' ')[1]!.split(':');
      const backend = connect({ port: Number(port), host: host!, noDelay: true });
      backend.on('error', () => client.destroy());
      backend.once('connect', () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        const rest = chunk.subarray(chunk.indexOf('\r\n\r\n') + 4);
        if (rest.length > 0) backend.write(rest);
        client.pipe(backend).pipe(client);
      });
    });
  });
  return listen(server);
}

async function startProxyChain(): Promise<number> {
  const server = new ProxyChainServer({ port: 0, host: '127.0.0.1', verbose: false });
  await server.listen();
  return server.port;
}

/** startHttpwire serves a ForwardProxy; `general`: behind a function handler, which has no fast path. */
async function startHttpwire(general = false): Promise<number> {
  const proxy = new ForwardProxy({ errorLog: () => undefined });
  const server = createServer(general ? proxy.serveHTTP.bind(proxy) : proxy);
  return (await server.listen(0, '127.0.0.1')).port;
}

const kind = process.argv[2];
const starters: Record<string, () => Promise<number>> = {
  pipe: startPipe,
  'proxy-chain': startProxyChain,
  httpwire: () => startHttpwire(),
  'httpwire-general': () => startHttpwire(true),
};
const start = starters[kind ?? ''];
if (start === undefined) {
  throw new Error(`serve-forward.ts wants one of ${FORWARD_KINDS.join(', ')}, got ${kind}`);
}
const port = await start();
process.stdout.write(`${JSON.stringify({ port })}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'cpu') process.stdout.write(`${JSON.stringify(process.cpuUsage())}\n`);
});
process.stdin.on('end', () => process.exit(0));
