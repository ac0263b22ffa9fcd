/**
 * One process's reverse proxy for `httpwire proxy` — the
 * ReverseProxy (one target or a balancer), the access log, the exchange
 * timings for the metrics and the count of requests in flight. The
 * single-process command and each `--workers` worker run one.
 */
import type { AddressInfo } from 'node:net';
import { withAccessLog } from './access-log.js';
import { buildBalancer } from './balancer.js';
import { type MetricsSnapshot, UpstreamMetrics } from './metrics.js';
import type { ProxyArgs } from './proxy-args.js';
import { UpstreamExchanges } from './upstream-exchanges.js';
import { createServer, type Server } from '../server/server.js';

/** ServingProxy: a listening proxy server and what it counts. */
export interface ServingProxy {
  server: Server;
  address: AddressInfo;
  /** Requests being answered now (on as many connections): what a graceful stop waits for. */
  inFlight(): number;
  /** This process's counters and balancer status, for the admin pages. */
  snapshot(): MetricsSnapshot;
  /**
   * stop closes the server gracefully (requests in flight finish), then the
   * backends' pools; idle client connections may send one more request
   * within `idleGrace` ms (Server.close).
   */
  stop(idleGrace?: number): Promise<void>;
}

/** serveProxy starts the proxy for `args` to `targets` (URLs with weights) and listens. */
export async function serveProxy(
  args: ProxyArgs,
  targets: ProxyArgs['targets'],
  log: (line: string) => void,
): Promise<ServingProxy> {
  const balancer = buildBalancer(args, targets);
  const metrics = new UpstreamMetrics();
  const exchanges = new UpstreamExchanges((exchange) => metrics.observe(exchange));
  const proxy = balancer.proxy;
  proxy.flushInterval = args.flushInterval;
  proxy.proxy = exchanges.hook;
  let inFlight = 0;
  const logged = withAccessLog((rw, req) => proxy.serveHTTP(rw, req), {
    format: args.logFormat,
    log,
    upstreamOf: (req) => exchanges.take(req),
  });
  const server = createServer(async (rw, req) => {
    inFlight++;
    try {
      await logged(rw, req);
    } finally {
      inFlight--;
    }
  });
  let address: AddressInfo;
  try {
    address = await server.listen(args.port, args.host);
  } catch (err) {
    balancer.close();
    throw err;
  }
  let stopping: Promise<void> | null = null;
  return {
    server,
    address,
    inFlight: () => inFlight,
    snapshot: () => metrics.snapshot(balancer.status(exchanges.inFlight, metrics)),
    stop: (idleGrace = 0) =>
      (stopping ??= server.close({ idleGrace }).then(() => {
        balancer.close();
      })),
  };
}
