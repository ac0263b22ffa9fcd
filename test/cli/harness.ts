/**
 * Running the built CLI (`node dist/cli/main.js ...`) as a child process
 * for tests: started, read line by line, killed after each test.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeAll } from 'vitest';
import { cleanup, within } from '../e2e/e2e-harness.js';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const run = promisify(execFile);

/** Cli: a running `httpwire` child process. */
export interface Cli {
  child: ChildProcess;
  /** The URL from the 'listening on' line, with a trailing slash. */
  url: string;
  /** Every stdout line so far (the listening banner included). */
  lines: string[];
  /** nextLine resolves with the next stdout line not yet taken, waiting up to 5 s. */
  nextLine(): Promise<string>;
  /** exited resolves with the exit code (or the signal name) once the process is gone and its output read. */
  exited: Promise<number | string>;
  stderr(): string;
}

const children: ChildProcess[] = [];

/**
 * setupCli registers the file's hooks: dist/ must be built, and after each
 * test every child still running is killed (its workers with it) and the
 * backends are cleaned up.
 */
export function setupCli(): void {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does)`);
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await cleanup(); // closers, then backends, expecting no backend socket left open
  });
}

/** startCli spawns the CLI and resolves once it printed its 'listening on' line. */
export async function startCli(args: string[], env: Record<string, string> = {}): Promise<Cli> {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  const exited = new Promise<number | string>((resolve) => {
    child.once('close', (code, signal) => resolve(code ?? signal ?? -1));
  });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (err += chunk));
  const stdout = createInterface({ input: child.stdout! });
  const lines: string[] = [];
  stdout.on('line', (line) => lines.push(line));
  const reader = stdout[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const next = await within(reader.next(), 5000, 'a line on stdout');
    if (next.done === true) throw new Error(`stdout ended; stderr: ${err}`);
    return next.value;
  };
  const banner = await nextLine();
  const match = /listening on (http:\/\/\S+\/) -> /.exec(banner);
  if (match === null) throw new Error(`unexpected first line: ${banner}`);
  return { child, url: match[1]!, lines, nextLine, exited, stderr: () => err };
}

/** startProxyCli starts `httpwire proxy` on 127.0.0.1:0 with a `--target` per URL of `targets`, then `flags`. */
export function startProxyCli(targets: readonly string[], ...flags: string[]): Promise<Cli> {
  return startCli([
    'proxy',
    '--listen',
    '127.0.0.1:0',
    ...targets.flatMap((t) => ['--target', t]),
    ...flags,
  ]);
}

/** runCli runs the CLI to its end (killed after 5 s) and returns its exit code and output. */
export async function runCli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      timeout: 5000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

export async function curl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('curl', ['--silent', '--show-error', '--max-time', '10', ...args]);
}

/**
 * refusesConnections resolves once nothing accepts connections on `port`
 * (a shutting-down CLI closed its listener); each try waits for the
 * outcome of a real connect, at most 500 of them.
 */
export async function refusesConnections(port: number): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const socket = connect(port, '127.0.0.1');
    const outcome = await new Promise<string | undefined>((resolve) => {
      socket.once('connect', () => resolve('accepted'));
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
    });
    socket.destroy();
    if (outcome === 'ECONNREFUSED') return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`port ${port} still accepts connections`);
}
