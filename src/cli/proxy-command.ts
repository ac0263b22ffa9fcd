/**
 * `httpwire proxy --listen HOST:PORT --target URL` runs the reverse proxy
 * with a one-line access log; without `--target` it also starts a built-in
 * demo origin. SIGINT/SIGTERM shut down gracefully.
 */
import type { AddressInfo } from 'node:net';
import { withAccessLog } from './access-log.js';
import type { Command } from './command.js';
import { startDemoOrigin } from './demo-origin.js';
import { envPort, parseHttpURL, parseListen, readFlags, UsageError } from './flags.js';
import { newSingleHostReverseProxy } from '../proxy/reverse-proxy.js';
import { createServer, type Server } from '../server/server.js';

/** ProxyArgs: what `httpwire proxy` was asked to do. */
export interface ProxyArgs {
  help: boolean;
  host: string;
  port: number;
  /** The backend URL, or null to start the built-in demo origin. */
  target: string | null;
  /** Milliseconds between flushes of a proxied body; negative flushes after every write. */
  flushInterval: number;
}

const USAGE = `usage: httpwire proxy [--listen HOST:PORT] [--target URL] [--flush-interval MS]

  --listen HOST:PORT     where the proxy listens (default 127.0.0.1:$PORT, PORT defaulting to 8080)
  --target URL           the backend, http:// or https:// (default: a built-in demo origin)
  --flush-interval MS    flush proxied bodies every MS milliseconds; -1 after every write (default 0;
                         event streams and bodies of unknown length are always flushed at once)
  --help                 show this help
`;

/** parseProxyArgs reads `httpwire proxy`'s flags; `env` supplies PORT when `--listen` is not given. */
export function parseProxyArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ProxyArgs {
  const { values, positionals } = readFlags(argv, {
    listen: { kind: 'string' },
    target: { kind: 'string' },
    'flush-interval': { kind: 'integer' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const listen = values.get('listen')?.[0] as string | undefined;
  const target = values.get('target')?.[0] as string | undefined;
  return {
    help: values.has('help'),
    ...(listen === undefined
      ? { host: '127.0.0.1', port: envPort(env.PORT) }
      : parseListen(listen)),
    target: target === undefined ? null : parseHttpURL('--target', target),
    flushInterval: (values.get('flush-interval')?.[0] as number | undefined) ?? 0,
  };
}

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number | void> {
  const args = parseProxyArgs(argv, env);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
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

/** proxyCommand: `httpwire proxy`, the reverse proxy. */
export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'a reverse proxy to --target (a built-in demo origin without one)',
  usage: USAGE,
  run,
};
