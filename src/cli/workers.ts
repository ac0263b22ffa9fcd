/**
 * `httpwire proxy --workers N` on node:cluster: the primary forks N workers
 * (0: one per CPU), each serving the proxy on the shared listening socket,
 * and keeps the admin endpoint and the built-in demo origin itself.
 *
 * - SIGHUP restarts the workers one at a time: a new worker listens before
 *   the old one is told to stop, and the old one answers every request it
 *   has (a connection the cluster hands it after it stopped listening goes
 *   to another worker), so no request is dropped.
 * - A worker that dies on its own is replaced.
 * - SIGINT/SIGTERM: the workers stop gracefully (the primary says how many
 *   connections they wait for); a second signal kills them.
 * - The admin pages add up every worker's counters (over the cluster IPC).
 * - Workers ignore SIGINT and SIGTERM (a terminal's Ctrl-C reaches the whole
 *   process group): only the primary tells them to stop. A worker whose
 *   primary is gone stops gracefully.
 */
import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { startAdmin } from './admin-server.js';
import { startDemoOrigin } from './demo-origin.js';
import { type MetricsSnapshot, mergeSnapshots } from './metrics.js';
import type { ProxyArgs } from './proxy-args.js';
import { banner } from './banner.js';
import { serveProxy } from './serve-proxy.js';
import { onStopSignals } from './shutdown.js';
import type { Server } from '../server/server.js';

/** DEMO_ENV: the environment variable handing the primary's demo origin to the workers. */
const DEMO_ENV = 'HTTPWIRE_DEMO_TARGET';
/** How long a worker retired by SIGHUP still answers on its idle keep-alive connections (Server.close's idleGrace). */
const RESTART_GRACE = 1000;
/** How long the primary waits for a worker's answer to a question (counts, metrics). */
const ASK_TIMEOUT = 2000;

/** WorkerMessage: what primary and workers say to each other over the cluster IPC. */
type WorkerMessage =
  | { type: 'listening'; address: AddressInfo }
  | { type: 'stop'; idleGrace: number }
  | { type: 'ask'; id: number; what: 'snapshot' | 'inFlight' }
  | { type: 'answer'; id: number; value: MetricsSnapshot | number };

/** runPrimary forks the workers and supervises them until stopped; resolves 1 when they cannot start. */
export async function runPrimary(args: ProxyArgs): Promise<number | void> {
  const count = args.workers === 0 ? availableParallelism() : args.workers!;
  const servers: Server[] = [];
  let targets = args.targets;
  const env: Record<string, string> = {};
  if (targets.length === 0) {
    const demo = await startDemoOrigin();
    servers.push(demo.server);
    targets = [{ url: demo.url, weight: 1 }];
    env[DEMO_ENV] = demo.url;
  }
  const askAll = asker();
  const live = new Set<Worker>(); // serving, not told to stop
  let stopping = false;
  let restarting = false;
  const start = async (): Promise<{ worker: Worker; address: AddressInfo }> => {
    const worker = cluster.fork(env);
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`a worker exited with ${code}`));
      worker.once('exit', onExit);
      worker.on('message', (message: WorkerMessage) => {
        if (message.type !== 'listening') return;
        worker.off('exit', onExit);
        live.add(worker);
        resolve({ worker, address: message.address });
      });
    });
  };
  cluster.on('exit', (worker, code, signal) => {
    if (!live.delete(worker) || stopping) return; // retired, or stopping
    process.stderr.write(
      `httpwire: worker ${worker.process.pid} died (${signal ?? code}); starting another\n`,
    );
    void start().catch((err: Error) => process.stderr.write(`httpwire: ${err.message}\n`));
  });
  let address: AddressInfo;
  let admin: AddressInfo | null = null;
  try {
    address = (await Promise.all(Array.from({ length: count }, start)))[0]!.address;
    if (args.admin !== null) {
      const collect = async () =>
        mergeSnapshots((await askAll([...live], 'snapshot')) as MetricsSnapshot[]);
      const started = await startAdmin(args.admin.host, args.admin.port, collect);
      servers.push(started.server);
      admin = started.address;
    }
  } catch (err) {
    stopping = true;
    for (const worker of cluster.workers === undefined ? [] : Object.values(cluster.workers)) {
      worker?.kill('SIGKILL');
    }
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  process.on('SIGHUP', () => {
    if (restarting || stopping) return;
    restarting = true;
    void (async () => {
      const old = [...live];
      process.stderr.write(`httpwire: restarting ${old.length} workers\n`);
      for (const worker of old) {
        await start();
        live.delete(worker);
        send(worker, { type: 'stop', idleGrace: RESTART_GRACE });
      }
      process.stderr.write(`httpwire: workers restarted\n`);
    })()
      .catch((err: Error) => process.stderr.write(`httpwire: restart failed: ${err.message}\n`))
      .finally(() => (restarting = false));
  });
  onStopSignals({
    waiting: async () =>
      ((await askAll([...live], 'inFlight')) as number[]).reduce((a, b) => a + b, 0),
    stop: async () => {
      stopping = true;
      // A worker stopped by a restart may have exited already while still listed
      // (cluster drops it on both 'exit' and 'disconnect'): do not wait for it.
      const all = Object.values(cluster.workers ?? {}).filter(
        (w): w is NonNullable<typeof w> => w !== undefined && !w.isDead(),
      );
      const exited = all.map((w) => new Promise((resolve) => w.once('exit', resolve)));
      for (const worker of all) send(worker, { type: 'stop', idleGrace: 0 });
      await Promise.all(exited);
      await Promise.all(servers.map((s) => s.close()));
    },
    force: () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGKILL');
    },
  });
  // Signals are handled before the banner tells anyone that the proxy is up.
  process.stdout.write(
    banner(args, targets, address, admin).replace('\n', ` (${count} workers)\n`),
  );
}

/** runWorker serves the proxy in a cluster worker and answers the primary. */
export async function runWorker(args: ProxyArgs, env: NodeJS.ProcessEnv): Promise<void> {
  const demo = env[DEMO_ENV];
  const targets = args.targets.length > 0 ? args.targets : [{ url: demo ?? '', weight: 1 }];
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const serving = await serveProxy(args, targets, log).catch((err: Error) => {
    process.stderr.write(`httpwire: ${err.message}\n`);
    process.exit(1);
  });
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  const stop = (idleGrace: number) =>
    void serving.stop(idleGrace).then(() => process.stdout.write('', () => process.exit(0)));
  process.on('disconnect', () => stop(0));
  process.on('message', (message: WorkerMessage) => {
    if (message.type === 'stop') stop(message.idleGrace);
    if (message.type !== 'ask') return;
    const value = message.what === 'snapshot' ? serving.snapshot() : serving.inFlight();
    process.send!({ type: 'answer', id: message.id, value } satisfies WorkerMessage);
  });
  process.send!({ type: 'listening', address: serving.address } satisfies WorkerMessage);
}

/** askAll asks every worker the same question; a worker that does not answer within ASK_TIMEOUT is left out. */
type AskAll = (workers: Worker[], what: 'snapshot' | 'inFlight') => Promise<unknown[]>;

/** asker returns an AskAll numbering its questions from 1. */
function asker(): AskAll {
  let nextId = 0;
  const ask = (worker: Worker, what: 'snapshot' | 'inFlight') => {
    const id = ++nextId;
    return new Promise<unknown>((resolve) => {
      const done = (value: unknown) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(value);
      };
      const onMessage = (message: WorkerMessage) => {
        if (message.type === 'answer' && message.id === id) done(message.value);
      };
      const onExit = () => done(undefined);
      const timer = setTimeout(() => done(undefined), ASK_TIMEOUT);
      worker.on('message', onMessage);
      worker.once('exit', onExit);
      send(worker, { type: 'ask', id, what });
    });
  };
  return async (workers, what) => {
    const answers = await Promise.all(workers.map((w) => ask(w, what)));
    return answers.filter((a) => a !== undefined);
  };
}

/** send tells a worker something, unless its IPC channel is already gone. */
function send(worker: Worker, message: WorkerMessage): void {
  if (worker.isConnected()) worker.send(message);
}
