/**
 * `httpwire forward --listen HOST:PORT [--auth USER:PASS] [--allow
 * HOST[:PORT]]... [--mitm-ca DIR] [--upstream URL] [--dial-timeout MS]
 * [--idle-timeout MS]` runs the forward proxy
 * with an access-log line per request and per tunnel. SIGINT/SIGTERM shut
 * down gracefully.
 */
import { withAccessLog } from './access-log.js';
import type { Command } from './command.js';
import { atLeast, envPort, parseListen, readFlags, UsageError } from './flags.js';
import { ForwardProxy } from '../forward/forward-proxy.js';
import type { ForwardTarget } from '../forward/forward-target.js';
import { parsePort } from '../forward/forward-target.js';
import { FAST_CONNECT, type FastPathHandler } from '../server/fast-path.js';
import type { Handler } from '../server/handler.js';
import { createServer } from '../server/server.js';
import { join } from 'node:path';
import { CA_CERT_FILE } from './ca-command.js';
import { loadInterception } from './mitm-setup.js';
import { parseUpstream, upstreamProxy } from './upstream-proxy.js';

/** AllowRule: a host (lower case) and a port, or null for every port. */
export interface AllowRule {
  host: string;
  port: number | null;
}

/** ForwardArgs: what `httpwire forward` was asked to do. */
export interface ForwardArgs {
  help: boolean;
  host: string;
  port: number;
  /** `user:password` for Basic proxy authentication, or null for none. */
  auth: { user: string; password: string } | null;
  /** Targets that may be reached; empty allows every one. */
  allow: AllowRule[];
  /** The directory of the CA for TLS interception (`httpwire ca create`), or null for none. */
  mitmCa: string | null;
  /** The proxy everything goes through (`--upstream`), or null to go direct. */
  upstream: string | null;
  /** `--dial-timeout MS`, or null for ForwardProxy's default (30000). */
  dialTimeout: number | null;
  /** `--idle-timeout MS`, or null for ForwardProxy's default (300000). */
  idleTimeout: number | null;
}

const USAGE = `usage: httpwire forward [--listen HOST:PORT] [--auth USER:PASS] [--allow HOST[:PORT]]...
                        [--mitm-ca DIR] [--upstream URL] [--dial-timeout MS] [--idle-timeout MS]

  --listen HOST:PORT   where the proxy listens (default 127.0.0.1:$PORT, PORT defaulting to 8080)
  --auth USER:PASS     require these Proxy-Authorization: Basic credentials (407 otherwise)
  --allow HOST[:PORT]  reach only these targets (repeatable; a host without a port allows every
                       port; default: everything); others get 403
  --mitm-ca DIR        intercept TLS with the CA in DIR (make one with: httpwire ca create DIR);
                       clients trust DIR/ca.pem, origins are verified with Node's trust store
  --upstream URL       send everything through the proxy at URL (http://[USER:PASS@]HOST:PORT):
                       tunnels by CONNECT, other requests in absolute form
  --dial-timeout MS    give up connecting to a tunnel's target after MS (504; default 30000, 0: never)
  --idle-timeout MS    close a tunnel silent both ways for MS (default 300000, 0: never)
  --help               show this help

Point a client at it:  curl -x http://HOST:PORT https://example.com/
`;

/** parseForwardArgs reads `httpwire forward`'s flags; `env` supplies PORT when `--listen` is not given. */
export function parseForwardArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ForwardArgs {
  const { values, positionals } = readFlags(argv, {
    listen: { kind: 'string' },
    auth: { kind: 'string' },
    allow: { kind: 'string', repeat: true },
    'mitm-ca': { kind: 'string' },
    upstream: { kind: 'string' },
    'dial-timeout': { kind: 'integer' },
    'idle-timeout': { kind: 'integer' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const listen = values.get('listen')?.[0] as string | undefined;
  const auth = values.get('auth')?.[0] as string | undefined;
  const colon = auth?.indexOf(':') ?? -1;
  if (auth !== undefined && colon < 1) {
    throw new UsageError(`--auth wants USER:PASS, got ${JSON.stringify(auth)}`);
  }
  return {
    help: values.has('help'),
    ...(listen === undefined
      ? { host: '127.0.0.1', port: envPort(env.PORT) }
      : parseListen(listen)),
    auth:
      auth === undefined ? null : { user: auth.slice(0, colon), password: auth.slice(colon + 1) },
    allow: ((values.get('allow') ?? []) as string[]).map(parseAllowRule),
    mitmCa: (values.get('mitm-ca')?.[0] as string | undefined) ?? null,
    upstream: upstreamArg(values.get('upstream')?.[0] as string | undefined),
    dialTimeout: atLeast(
      '--dial-timeout',
      values.get('dial-timeout')?.[0] as number | undefined,
      0,
    ),
    idleTimeout: atLeast(
      '--idle-timeout',
      values.get('idle-timeout')?.[0] as number | undefined,
      0,
    ),
  };
}

function upstreamArg(url: string | undefined): string | null {
  if (url === undefined) return null;
  parseUpstream(url); // a bad URL is a usage error now, not at the first request
  return url;
}

/** parseAllowRule reads `host`, `host:port`, `[v6]` or `[v6]:port`. */
function parseAllowRule(value: string): AllowRule {
  const bad = () => new UsageError(`--allow wants HOST[:PORT], got ${JSON.stringify(value)}`);
  let host = value;
  let port: number | null = null;
  const close = value.startsWith('[') ? value.indexOf(']') : -1;
  const colon = value.lastIndexOf(':');
  if (value.startsWith('[')) {
    if (close < 2) throw bad();
    host = value.slice(1, close);
    if (close + 1 < value.length) {
      if (value[close + 1] !== ':') throw bad();
      port = parsePort(value.slice(close + 2)) || null;
      if (port === null) throw bad();
    }
  } else if (colon !== -1) {
    host = value.slice(0, colon);
    port = parsePort(value.slice(colon + 1)) || null;
    if (port === null || host.includes(':')) throw bad();
  }
  if (host === '') throw bad();
  return { host: host.toLowerCase(), port };
}

/** allows reports whether `rules` let `target` through (an empty list allows everything). */
export function allows(rules: readonly AllowRule[], target: ForwardTarget): boolean {
  if (rules.length === 0) return true;
  return rules.some((r) => r.host === target.host && (r.port === null || r.port === target.port));
}

/**
 * loggedForwardProxy serves `proxy` with an access-log line per request:
 * a tunnel is logged by the proxy's `onTunnelClose` when it ends, a
 * refused CONNECT as a request. CONNECTs keep the proxy's fast path:
 * what it refuses it hands to `serveHTTP`, where the refusal is logged.
 */
export function loggedForwardProxy(
  proxy: ForwardProxy,
  log: (line: string) => void,
): Handler & FastPathHandler {
  const logged = withAccessLog((rw, req) => proxy.serveHTTP(rw, req), {
    format: 'text',
    log,
    logHijacked: false,
  });
  return {
    serveHTTP: logged,
    get [FAST_CONNECT]() {
      return proxy[FAST_CONNECT];
    },
  };
}

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number | void> {
  const args = parseForwardArgs(argv, env);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const { auth, allow } = args;
  const upstream = args.upstream === null ? null : upstreamProxy(args.upstream);
  const mitm =
    args.mitmCa === null ? null : await loadInterception(args.mitmCa, log, args.upstream);
  const proxy = new ForwardProxy({
    mitm,
    dial: upstream?.dial ?? null,
    transport: upstream?.transport ?? null,
    ...(args.dialTimeout === null ? {} : { dialTimeout: args.dialTimeout }),
    ...(args.idleTimeout === null ? {} : { idleTimeout: args.idleTimeout }),
    authenticate:
      auth === null
        ? null
        : (c) => c !== null && c.user === auth.user && c.password === auth.password,
    allow: allow.length === 0 ? null : (target) => allows(allow, target),
    onTunnelClose: (end) =>
      log(
        `CONNECT ${end.target} tunnel ${end.bytesToTarget}/${end.bytesFromTarget} bytes up/down ` +
          `${end.durationMs.toFixed(1)}ms${end.error === null ? '' : ` (${end.error})`}`,
      ),
  });
  const server = createServer(loggedForwardProxy(proxy, log));
  const address = await server.listen(args.port, args.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/`;
  const user = auth === null ? '' : ` --proxy-user ${auth.user}:...`;
  const cacert = args.mitmCa === null ? '' : ` --cacert ${join(args.mitmCa, CA_CERT_FILE)}`;
  process.stdout.write(
    `httpwire forward listening on ${url} -> any target${allow.length === 0 ? '' : ' in --allow'}` +
      `${upstream === null ? '' : ` through ${upstream.origin}`}\n` +
      `try:  curl -x ${url}${user}${cacert} https://example.com/\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => {
      proxy.close();
      upstream?.transport.close();
      mitm?.close();
      process.stdout.write('', () => process.exit(0)); // open tunnels end with the process
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** forwardCommand: `httpwire forward`, the forward proxy (curl -x, HTTPS_PROXY). */
export const forwardCommand: Command = {
  name: 'forward',
  summary:
    'a forward proxy for clients (curl -x, HTTPS_PROXY): CONNECT tunnels and http:// requests',
  usage: USAGE,
  run,
};
