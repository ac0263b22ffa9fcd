/**
 * The parent's side of the soak's child processes: each child is a soak
 * script forked under tsx with an IPC channel (reporting.ts), so its memory
 * and its event loop are its own. Every child started here is ended by
 * `stopChildren()`, and a child also exits by itself if the parent dies.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Sample, ToChild, ToParent } from './reporting.js';

/** Timed: a Sample and when it arrived, in ms on the parent's `performance.now()` clock. */
export interface Timed {
  atMs: number;
  sample: Sample;
}

const running = new Set<SoakChild>();

/** SoakChild: one running child, its port and every Sample it sent. */
export class SoakChild {
  readonly name: string;
  readonly port: number;
  /** Every sample so far, oldest first. */
  readonly samples: Timed[] = [];
  readonly #process: ChildProcess;
  #waiters: ((sample: Sample) => void)[] = [];

  constructor(name: string, process: ChildProcess, port: number) {
    this.name = name;
    this.#process = process;
    this.port = port;
    process.on('message', (message: ToParent) => {
      if (message.type !== 'sample') return;
      this.samples.push({ atMs: performance.now(), sample: message.sample });
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const waiter of waiters) waiter(message.sample);
    });
  }

  /** latest is the newest sample (the child sends one every second). */
  get latest(): Sample {
    return this.samples[this.samples.length - 1]!.sample;
  }

  /** sample asks the child for a sample now and resolves with it. */
  sample(): Promise<Sample> {
    const answered = new Promise<Sample>((resolve) => this.#waiters.push(resolve));
    this.#process.send({ type: 'sample' } satisfies ToChild);
    return answered;
  }

  /** stop ends the child (SIGTERM) and resolves once it has exited. */
  async stop(): Promise<void> {
    running.delete(this);
    if (this.#process.exitCode !== null || this.#process.signalCode !== null) return;
    const exited = once(this.#process, 'exit');
    this.#process.kill('SIGTERM');
    await exited;
  }
}

/**
 * startChild forks `soak/<script>` with `args` and resolves once it is
 * listening and has sent its first sample; it rejects if the child exits
 * first. A child that dies later makes the soak fail: a crashed proxy is
 * the loudest failure there is.
 */
export async function startChild(
  name: string,
  script: string,
  args: readonly string[],
): Promise<SoakChild> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
    execArgv: ['--no-deprecation', '--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal})`)));
    child.on('message', (message: ToParent) => {
      if (message.type === 'ready') resolve(message.port);
    });
  });
  const started = new SoakChild(name, child, port);
  running.add(started);
  child.once('exit', (code, signal) => {
    if (!running.has(started)) return;
    process.stderr.write(`soak: the ${name} died (${code ?? signal})\n`);
    void stopChildren().then(() => process.exit(1));
  });
  await started.sample();
  return started;
}

/** stopChildren ends every child still running. */
export async function stopChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}
