/** ProxyArgs: what `httpwire proxy` was asked to do. */
export interface ProxyArgs {
  command: 'proxy' | 'help';
  host: string;
  port: number;
  /** The backend URL, or null to start the built-in demo origin. */
  target: string | null;
  /** Milliseconds between flushes of a proxied body; negative flushes after every write. */
  flushInterval: number;
}

/** USAGE: the help text. */
export const USAGE = `usage: httpwire proxy [--listen HOST:PORT] [--target URL] [--flush-interval MS]

  --listen HOST:PORT     where the proxy listens (default 127.0.0.1:$PORT, PORT defaulting to 8080)
  --target URL           the backend, http:// or https:// (default: a built-in demo origin)
  --flush-interval MS    flush proxied bodies every MS milliseconds; -1 after every write (default 0;
                         event streams and bodies of unknown length are always flushed at once)
  --help                 show this help
`;

/** UsageError: a bad command line; the message says what is wrong. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** parseArgs reads `argv` (without node and the script); `env` supplies PORT when `--listen` is not given. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ProxyArgs {
  const args: ProxyArgs = {
    command: 'proxy',
    host: '127.0.0.1',
    port: -1, // from --listen, else from PORT once every flag is read
    target: null,
    flushInterval: 0,
  };
  const rest = [...argv];
  if (rest[0] === 'proxy') rest.shift();
  else if (rest.length > 0 && !rest[0]!.startsWith('-'))
    throw new UsageError(`unknown command ${rest[0]}`);
  while (rest.length > 0) {
    const arg = rest.shift()!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : rest.shift();
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return { ...args, command: 'help' };
      case '--listen':
        Object.assign(args, parseListen(value()));
        break;
      case '--target':
        args.target = parseTarget(value());
        break;
      case '--flush-interval':
        args.flushInterval = parseInteger(flag, value());
        break;
      default:
        throw new UsageError(`unknown flag ${arg}`);
    }
  }
  if (args.port === -1) args.port = envPort(env.PORT);
  return args;
}

function envPort(value: string | undefined): number {
  if (value === undefined || value === '') return 8080;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`PORT must be a port number, got ${JSON.stringify(value)}`);
  }
  return port;
}

function parseListen(value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(':');
  if (colon < 0) throw new UsageError(`--listen wants HOST:PORT, got ${JSON.stringify(value)}`);
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = Number(value.slice(colon + 1));
  if (value.slice(colon + 1) === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--listen has a bad port: ${JSON.stringify(value)}`);
  }
  return { host, port };
}

function parseTarget(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--target is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--target must be http:// or https://, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parseInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n))
    throw new UsageError(`${flag} wants an integer, got ${JSON.stringify(value)}`);
  return n;
}
