/** UsageError: a bad command line; the message says what is wrong. The CLI exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** FlagKind: how a flag's value is read: a string, an integer, or no value at all. */
export type FlagKind = 'string' | 'integer' | 'boolean';

/** FlagSpec: the flags a subcommand takes; `repeat` collects every occurrence in order. */
export type FlagSpec = Record<string, { kind: FlagKind; repeat?: boolean }>;

/** ReadFlags: every flag seen (by name without dashes) and the positional arguments. */
export interface ReadFlags {
  values: Map<string, (string | number | true)[]>;
  positionals: string[];
}

/**
 * readFlags reads `argv` against `spec`: `--flag value`, `--flag=value`,
 * `--` ending the flags. `-h`/`--help` are read as the boolean `help`.
 * An unknown flag, a missing value, a bad integer or a repeated flag that
 * is not `repeat` throw a UsageError.
 */
export function readFlags(argv: readonly string[], spec: FlagSpec): ReadFlags {
  const values = new Map<string, (string | number | true)[]>();
  const positionals: string[] = [];
  const rest = [...argv];
  while (rest.length > 0) {
    const arg = rest.shift()!;
    if (arg === '--') {
      positionals.push(...rest.splice(0));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      values.set('help', [true]);
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const name = flag.replace(/^--?/, '');
    const kind = flag.startsWith('--') ? spec[name]?.kind : undefined;
    if (kind === undefined) throw new UsageError(`unknown flag ${arg}`);
    let value: string | number | true = true;
    if (kind !== 'boolean') {
      const raw = eq > 0 ? arg.slice(eq + 1) : rest.shift();
      if (raw === undefined || raw === '') throw new UsageError(`${flag} needs a value`);
      value = kind === 'integer' ? parseInteger(flag, raw) : raw;
    } else if (eq > 0) {
      throw new UsageError(`${flag} takes no value`);
    }
    const seen = values.get(name);
    if (seen === undefined) values.set(name, [value]);
    else if (spec[name]!.repeat === true) seen.push(value);
    else throw new UsageError(`${flag} given twice`);
  }
  return { values, positionals };
}

/** envPort reads PORT: 8080 when unset or empty, a UsageError when not a port number. */
export function envPort(value: string | undefined): number {
  if (value === undefined || value === '') return 8080;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`PORT must be a port number, got ${JSON.stringify(value)}`);
  }
  return port;
}

/** parseListen reads a `HOST:PORT` flag (`--listen` unless `flag` says which; an empty host is 127.0.0.1, `[::1]` unbracketed). */
export function parseListen(value: string, flag = '--listen'): { host: string; port: number } {
  const colon = value.lastIndexOf(':');
  if (colon < 0) throw new UsageError(`${flag} wants HOST:PORT, got ${JSON.stringify(value)}`);
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = Number(value.slice(colon + 1));
  if (value.slice(colon + 1) === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${flag} has a bad port: ${JSON.stringify(value)}`);
  }
  return { host, port };
}

/** parseHttpURL checks that `value` is an http:// or https:// URL, naming `flag` when not. */
export function parseHttpURL(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${flag} must be http:// or https://, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parseInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n))
    throw new UsageError(`${flag} wants an integer, got ${JSON.stringify(value)}`);
  return n;
}

/** atLeast returns an integer flag's value, null when absent; below `min` is a UsageError. */
export function atLeast(flag: string, value: number | undefined, min: number): number | null {
  if (value === undefined) return null;
  if (value < min) throw new UsageError(`${flag} must be at least ${min}, got ${value}`);
  return value;
}
