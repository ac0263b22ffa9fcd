/**
 * `httpwire proxy` (dist/cli/main.js) as a child, for the `--workers` rows:
 * round-robin over the given backends, listening on an ephemeral port. It
 * is not pinned: with `--workers 2` the workers are free to use both cores.
 * Its access log (one line per request, on stdout) is read and dropped, and
 * so are the stderr lines every run gives (requests wrk abandons, the stop
 * notice).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const EXPECTED = /request aborted$|^httpwire: stopping, waiting for/;

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** CliProxy: a running `httpwire proxy` and its port. */
export interface CliProxy {
  process: ChildProcess;
  port: number;
  /** stop sends SIGINT twice (graceful, then forced) and resolves once the primary exited. */
  stop(): Promise<void>;
}

/** startCliProxy starts `httpwire proxy` with `extra` flags (e.g. `--workers 2`) and reads its port from the banner. */
export async function startCliProxy(
  ports: readonly number[],
  extra: readonly string[],
): Promise<CliProxy> {
  const targets = ports.flatMap((p) => ['--target', `http://127.0.0.1:${p}`]);
  const child = spawn(
    process.execPath,
    [MAIN, 'proxy', '--listen', '127.0.0.1:0', ...targets, ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Requests wrk abandons at the end of a turn and the stop notice are expected; the rest is shown.
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (!EXPECTED.test(line)) process.stderr.write(`${line}\n`);
  });
  const port = await new Promise<number>((resolve, reject) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(head);
      if (match === null) return;
      child.stdout!.off('data', onData).resume(); // from now on, drop the access log
      resolve(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`httpwire proxy exited (${code}): ${head}`)));
  });
  return {
    process: child,
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      const force = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(force);
    },
  };
}
