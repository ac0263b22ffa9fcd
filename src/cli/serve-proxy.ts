/**
 * One process's reverse proxy for `httpwire proxy` — the
 * ReverseProxy (one target or a balancer), the access log, the exchange
 * timings for the metrics and the count of requests in flight. The
 * single-process command and each `--workers` worker run one.
 */
import type { AddressInfo } from 'node:net';
import { withAccessLog, withFastAccessLog } from './access-log.js';
import { buildBalancer } from './balancer.js';
import { type MetricsSnapshot, UpstreamMetrics } from './metrics.js';
import type { ProxyArgs } from './proxy-args.js';
import { UpstreamExchanges } from './upstream-exchanges.js';
import type { Request } from '../message/request.js';
import {
  FAST_PATH,
  type FastPathHandler,
  type FastServe,
  watchFastPath,
} from '../server/fast-path.js';
import type { Handler } from '../server/handler.js';
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
  const proxy = balancer.proxy;
  const exchanges = new UpstreamExchanges(balancer.transport, (exchange) =>
    metrics.observe(exchange),
  );
  proxy.transport = exchanges;
  proxy.flushInterval = args.flushInterval;
  const logging = {
    format: args.logFormat,
    log,
    upstreamOf: (req: Request) => exchanges.take(req),
  };
  const logged = withAccessLog((rw, req) => proxy.serveHTTP(rw, req), logging);
  let inFlight = 0;
  // The proxy's fast path (server/fast-path.ts), logged and counted as the general path is:
  // a request it hands over leaves its count there and is counted and logged again here.
  const handler: Handler & FastPathHandler = {
    async serveHTTP(rw, req) {
      inFlight++;
      try {
        await logged(rw, req);
      } finally {
        inFlight--;
      }
    },
    get [FAST_PATH](): FastServe | null {
      const fast = proxy[FAST_PATH];
      if (fast === null) return null;
      return watchFastPath(withFastAccessLog(fast, logging), () => {
        inFlight++;
        return () => void inFlight--;
      });
    },
  };
  const server = createServer(handler);
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
