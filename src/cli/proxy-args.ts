import { LOG_FORMATS, type LogFormat } from './access-log.js';
import { atLeast, envPort, parseHttpURL, parseListen, readFlags, UsageError } from './flags.js';

/** LB_POLICIES: the `--lb` values; `ip-hash` is consistent hashing on the client's IP. */
export const LB_POLICIES = [
  'round-robin',
  'least-outstanding',
  'random-two',
  'first',
  'ip-hash',
] as const;

/** LbPolicy: one of LB_POLICIES. */
export type LbPolicy = (typeof LB_POLICIES)[number];

/** ProxyTarget: one `--target`, its URL as given and its weight (1 unless `,weight=N`). */
export interface TargetArg {
  url: string;
  weight: number;
}

/** ProxyArgs: what `httpwire proxy` was asked to do. */
export interface ProxyArgs {
  help: boolean;
  host: string;
  port: number;
  /** The backends in order; empty to start the built-in demo origin. */
  targets: TargetArg[];
  /** Milliseconds between flushes of a proxied body; negative flushes after every write. */
  flushInterval: number;
  /** `--lb`, or null for the balancer's default (round-robin). */
  lb: LbPolicy | null;
  healthPath: string | null;
  healthInterval: number | null;
  /** Retries after the first attempt, or null for the balancer's default. */
  retries: number | null;
  changeOrigin: boolean;
  logFormat: LogFormat;
  admin: { host: string; port: number } | null;
  /** Worker processes; null runs in this process alone, 0 one per CPU. */
  workers: number | null;
}

/** parseProxyArgs reads `httpwire proxy`'s flags; `env` supplies PORT when `--listen` is not given. */
export function parseProxyArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ProxyArgs {
  const { values, positionals } = readFlags(argv, {
    listen: { kind: 'string' },
    target: { kind: 'string', repeat: true },
    'flush-interval': { kind: 'integer' },
    lb: { kind: 'string' },
    'health-path': { kind: 'string' },
    'health-interval': { kind: 'integer' },
    retries: { kind: 'integer' },
    'change-origin': { kind: 'boolean' },
    'log-format': { kind: 'string' },
    admin: { kind: 'string' },
    workers: { kind: 'integer' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const one = <T>(name: string) => values.get(name)?.[0] as T | undefined;
  const listen = one<string>('listen');
  const targets = ((values.get('target') ?? []) as string[]).map(parseTargetArg);
  const seen = new Set<string>();
  for (const t of targets) {
    const key = new URL(t.url).href;
    if (seen.has(key)) throw new UsageError(`--target ${t.url} given twice`);
    seen.add(key);
  }
  const lb = one<string>('lb');
  if (lb !== undefined && !(LB_POLICIES as readonly string[]).includes(lb)) {
    throw new UsageError(
      `--lb must be one of ${LB_POLICIES.join(', ')}, got ${JSON.stringify(lb)}`,
    );
  }
  const healthPath = one<string>('health-path') ?? null;
  if (healthPath !== null && !healthPath.startsWith('/')) {
    throw new UsageError(`--health-path must start with /, got ${JSON.stringify(healthPath)}`);
  }
  const healthInterval = atLeast('--health-interval', one<number>('health-interval'), 1);
  if (healthInterval !== null && healthPath === null) {
    throw new UsageError('--health-interval needs --health-path');
  }
  const logFormat = one<string>('log-format') ?? 'text';
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    throw new UsageError(
      `--log-format must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(logFormat)}`,
    );
  }
  const admin = one<string>('admin');
  return {
    help: values.has('help'),
    ...(listen === undefined
      ? { host: '127.0.0.1', port: envPort(env.PORT) }
      : parseListen(listen)),
    targets,
    flushInterval: one<number>('flush-interval') ?? 0,
    lb: (lb as LbPolicy | undefined) ?? null,
    healthPath,
    healthInterval,
    retries: atLeast('--retries', one<number>('retries'), 0),
    changeOrigin: values.has('change-origin'),
    logFormat: logFormat as LogFormat,
    admin: admin === undefined ? null : parseListen(admin, '--admin'),
    workers: atLeast('--workers', one<number>('workers'), 0),
  };
}

/** parseTargetArg reads `URL` or `URL,weight=N` (N a positive integer). */
export function parseTargetArg(value: string): TargetArg {
  const comma = value.lastIndexOf(',');
  if (comma < 0 || !value.startsWith('weight=', comma + 1)) {
    return { url: parseHttpURL('--target', value), weight: 1 };
  }
  const raw = value.slice(comma + 'weight='.length + 1);
  const weight = Number(raw);
  if (raw === '' || !Number.isInteger(weight) || weight < 1) {
    throw new UsageError(`--target weight must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return { url: parseHttpURL('--target', value.slice(0, comma)), weight };
}

/** positive checks that an integer flag is at least `min`; undefined reads as null. */
