#!/usr/bin/env node
/**
 * The httpwire command line. `httpwire` (or `npm start`) serves the parser
 * demo on 127.0.0.1:$PORT (default 8080) and prints what to curl.
 */
import { startParserEchoServer } from './demo/parser-echo-server.js';

const USAGE = `usage: httpwire [echo] [--listen HOST:PORT]

  echo              answer each request with what httpwire's parser read (default)
  --listen HOST:PORT  where to listen (default 127.0.0.1:$PORT, PORT defaulting to 8080)
  --help            show this help
`;

function fail(message: string): never {
  process.stderr.write(`httpwire: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseListen(value: string | undefined): { host: string; port: number } {
  if (value === undefined) fail('--listen needs HOST:PORT');
  const colon = value.lastIndexOf(':');
  const host = colon > 0 ? value.slice(0, colon).replace(/^\[|\]$/g, '') : '127.0.0.1';
  const port = Number(value.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad port in --listen ${value}`);
  return { host, port };
}

async function main(argv: string[]): Promise<void> {
  const envPort = Number(process.env.PORT ?? 8080);
  let listen = { host: '127.0.0.1', port: Number.isInteger(envPort) ? envPort : 8080 };
  const args = [...argv];
  if (args[0] === 'echo') args.shift();
  while (args.length > 0) {
    const arg = args.shift()!;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE);
      return;
    }
    if (arg === '--listen') listen = parseListen(args.shift());
    else if (arg.startsWith('--listen=')) listen = parseListen(arg.slice('--listen='.length));
    else fail(`unknown argument ${arg}`);
  }
  const server = await startParserEchoServer(listen.port, listen.host);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : listen.port;
  const hostForUrl = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  process.stdout.write(
    `httpwire parser demo listening on http://${hostForUrl}:${port}/\n` +
      `try:  curl -i http://${hostForUrl}:${port}/hello -H 'X-Demo: 1'\n`,
  );
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`httpwire: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
