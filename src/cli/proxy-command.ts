/**
 * `httpwire proxy --listen HOST:PORT --target URL...` runs the reverse
 * proxy (a load balancer with several targets) with an access log; without
 * `--target` it also starts a built-in demo origin. `--admin` serves
 * /status and /metrics; `--workers` runs it on node:cluster (workers.ts).
 * SIGINT/SIGTERM stop gracefully; a second one forces the exit.
 */
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { startAdmin } from './admin-server.js';
import { banner } from './banner.js';
import type { Command } from './command.js';
import { startDemoOrigin } from './demo-origin.js';
import { parseProxyArgs } from './proxy-args.js';
import { serveProxy } from './serve-proxy.js';
import { onStopSignals } from './shutdown.js';
import { runPrimary, runWorker } from './workers.js';
import type { Server } from '../server/server.js';

const USAGE = `usage: httpwire proxy [--listen HOST:PORT] [--target URL]... [flags]

  --listen HOST:PORT     where the proxy listens (default 127.0.0.1:$PORT, PORT defaulting to 8080)
  --target URL           a backend, http:// or https://; repeat it to balance over several;
                         URL,weight=N gives it N times the share (default: a built-in demo origin)
  --lb POLICY            round-robin (default), least-outstanding, random-two, first or ip-hash
  --health-path P        check each target with GET P; it leaves while failing (default: no checks)
  --health-interval MS   milliseconds between health checks (default 10000)
  --retries N            retries on another target, where safe by wire facts (default 1)
  --change-origin        send the target's host as Host (default: the client's Host, also for https)
  --log-format F         text (default), combined (nginx, with upstream fields) or json
  --admin HOST:PORT      serve GET /status (JSON) and GET /metrics (Prometheus) there
  --workers N            serve from N worker processes (node:cluster; 0: one per CPU);
                         SIGHUP restarts them one by one without dropping a request
  --flush-interval MS    flush proxied bodies every MS milliseconds; -1 after every write (default 0;
                         event streams and bodies of unknown length are always flushed at once)
  --help                 show this help
`;

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number | void> {
  const args = parseProxyArgs(argv, env);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (cluster.isWorker) return runWorker(args, env);
  if (args.workers !== null) return runPrimary(args);
  const servers: Server[] = [];
  const closeAll = () => Promise.all(servers.map((s) => s.close()));
  let targets = args.targets;
  if (targets.length === 0) {
    const demo = await startDemoOrigin();
    servers.push(demo.server);
    targets = [{ url: demo.url, weight: 1 }];
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  let serving;
  let admin: AddressInfo | null = null;
  try {
    serving = await serveProxy(args, targets, log);
    if (args.admin !== null) {
      const started = await startAdmin(args.admin.host, args.admin.port, () =>
        Promise.resolve(serving!.snapshot()),
      );
      servers.push(started.server);
      admin = started.address;
    }
  } catch (err) {
    // The demo origin (or the proxy) is already listening: close it, or the process would never exit.
    await Promise.all([closeAll(), serving?.stop()]);
    throw err;
  }
  const proxy = serving;
  // Handled before the banner tells anyone that the proxy is up.
  onStopSignals({
    waiting: () => proxy.inFlight(),
    stop: async () => {
      await proxy.stop();
      await closeAll();
    },
    force: () => undefined,
  });
  process.stdout.write(banner(args, targets, proxy.address, admin));
}

/** proxyCommand: `httpwire proxy`, the reverse proxy and load balancer. */
export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'a reverse proxy and load balancer to --target (a built-in demo origin without one)',
  usage: USAGE,
  run,
};
