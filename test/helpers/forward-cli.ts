/**
 * `httpwire forward` as a child process (dist/, built by `npm test`), for
 * the CLI tests: `useForwardCli()` returns `startForward`, and kills what it
 * started after each test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { within } from './waiting.js';

/** CLI is the built command line. */
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** ForwardCli: a running `httpwire forward`. */
export interface ForwardCli {
  /** `http://127.0.0.1:PORT`, from the banner. */
  url: string;
  /** The banner's second line, the `try: curl ...` hint. */
  hint: string;
  /** nextLine resolves with the next stdout line, waiting up to 5 s. */
  nextLine(): Promise<string>;
}

/** useForwardCli registers the clean-up and returns `startForward(args, env?)`, listening on 127.0.0.1:0. */
export function useForwardCli(): (args: string[], env?: NodeJS.ProcessEnv) => Promise<ForwardCli> {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  return async (args, env = process.env) => {
    const child = spawn(process.execPath, [CLI, 'forward', '--listen', '127.0.0.1:0', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
    });
    children.push(child);
    const reader = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const nextLine = async () => {
      const next = await within(reader.next(), 5000, 'a line on stdout');
      if (next.done === true) throw new Error('stdout ended');
      return next.value;
    };
    const banner = await nextLine();
    const url = /listening on (http:\/\/\S+)\/ -> /.exec(banner)?.[1];
    if (url === undefined) throw new Error(`unexpected banner: ${banner}`);
    return { url, hint: await nextLine(), nextLine };
  };
}
