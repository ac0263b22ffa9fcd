/**
 * Child processes for the connection benches: each contender and each load
 * generator runs in its own process, pinned to its own core, so the two
 * sides of a socket never share a CPU and figures do not flip between runs.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** TESTED_CPU runs the process under test; PEER_CPU its peer: the load generator or the server it loads. */
export const TESTED_CPU = 0;
export const PEER_CPU = 1;

let pinning: boolean | undefined;

/** canPin reports whether `taskset` works and there are two cores to pin to. */
export function canPin(): boolean {
  pinning ??=
    process.env.BENCH_UNPINNED !== '1' &&
    os.availableParallelism() >= 2 &&
    spawnSync('taskset', ['-c', String(PEER_CPU), 'true']).status === 0;
  return pinning;
}

/**
 * Child is a running process that speaks in lines: the bench scripts print
 * one JSON document per line on stdout and read commands from stdin.
 */
export class Child {
  readonly #process: ChildProcess;
  readonly #lines: string[] = [];
  #waiter: ((line: string | null) => void) | null = null;
  #closed = false;

  constructor(process: ChildProcess) {
    this.#process = process;
    const lines = createInterface({ input: process.stdout! });
    lines.on('line', (line) => this.#deliver(line));
    lines.on('close', () => {
      this.#closed = true;
      this.#waiter?.(null);
    });
  }

  /** nextJSON resolves with the child's next stdout line, parsed; it rejects if stdout ends first. */
  async nextJSON<T>(): Promise<T> {
    const line =
      this.#lines.shift() ??
      (this.#closed ? null : await new Promise<string | null>((r) => (this.#waiter = r)));
    if (line === null) throw new Error('bench child exited before answering');
    return JSON.parse(line) as T;
  }

  /** send writes one command line to the child's stdin. */
  send(command: string): void {
    this.#process.stdin!.write(`${command}\n`);
  }

  /** stop ends the child (SIGTERM) and resolves once it has exited. */
  async stop(): Promise<void> {
    if (this.#process.exitCode !== null || this.#process.signalCode !== null) return;
    const exited = once(this.#process, 'exit');
    this.#process.kill('SIGTERM');
    await exited;
  }

  #deliver(line: string): void {
    const waiter = this.#waiter;
    if (waiter === null) {
      this.#lines.push(line);
      return;
    }
    this.#waiter = null;
    waiter(line);
  }
}

/**
 * spawnPinned starts `command` on core `cpu` (unpinned where pinning is not
 * possible) with the open-file limit raised to the hard limit, for the
 * idle-connection count. stderr goes to ours.
 */
export function spawnPinned(cpu: number, command: readonly string[]): ChildProcess {
  const pinned = canPin() ? ['taskset', '-c', String(cpu), ...command] : command;
  return spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', ...pinned], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

/** spawnScript runs `bench/conn/<script>` under node with tsx on core `cpu`. */
export function spawnScript(cpu: number, script: string, args: readonly string[]): Child {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return new Child(
    spawnPinned(cpu, [
      process.execPath,
      '--no-deprecation',
      '--expose-gc',
      '--import',
      'tsx',
      path,
      ...args,
    ]),
  );
}

/** hardFileLimit is the open-file limit a child can raise itself to (`ulimit -Hn`), or Infinity. */
export function hardFileLimit(): number {
  const out = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
  return out === 'unlimited' || out === '' ? Infinity : Number(out);
}
