/**
 * The balancers under test, each listening on an ephemeral port of
 * 127.0.0.1 in front of the backends at `ports`, keeping up to POOL_SIZE
 * backend connections alive per target.
 */
import http from 'node:http';
import httpProxy from 'http-proxy';
import { createServer } from '../../dist/server/server.js';
import { newLoadBalancingReverseProxy } from '../../dist/upstream/load-balancing-proxy.js';
import type { Upstreams } from '../../dist/upstream/upstreams.js';
import { listen, POOL_SIZE } from '../proxy/node-proxy-kit.js';
import { startProxy } from '../proxy/proxies.js';

export type BalancerKind = 'httpwire-lb' | 'httpwire-single' | 'http-proxy-rr';

export const BALANCER_KINDS: readonly BalancerKind[] = [
  'httpwire-lb',
  'httpwire-single',
  'http-proxy-rr',
];

/**
 * FAILOVER_PASSIVE: the passive health options of the failover run. They
 * are Upstreams' defaults written out: five consecutive failures eject a
 * target; under load they come within milliseconds of a backend's death
 * (see docs/benchmarks.md, "Load balancing").
 */
export const FAILOVER_PASSIVE = { failures: 5, ejectFor: 30_000, maxEjectedPercent: 50 };

/** startBalancer listens and resolves with the port. */
export async function startBalancer(
  kind: BalancerKind,
  ports: readonly number[],
): Promise<Started> {
  switch (kind) {
    case 'httpwire-lb':
      return startHttpwireLB(ports);
    case 'httpwire-single': // the same single-host proxy as the proxy bench
      return { port: await startProxy('httpwire', ports[0]!), upstreams: null };
    case 'http-proxy-rr':
      return { port: await startHttpProxyRR(ports), upstreams: null };
  }
}

/** Started: a listening balancer; `upstreams` is httpwire's balancer, null for the others. */
export interface Started {
  port: number;
  upstreams: Upstreams | null;
}

/** startHttpwireLB: newLoadBalancingReverseProxy, round-robin, on our Server. */
async function startHttpwireLB(ports: readonly number[]): Promise<Started> {
  const errorLog = (message: string) => {
    // wrk abandons requests at the end of a run; state changes are printed below.
    if (!message.endsWith('request aborted') && !message.startsWith('upstream ')) {
      process.stderr.write(`${message}\n`);
    }
  };
  const lb = newLoadBalancingReverseProxy(
    ports.map((p) => `http://127.0.0.1:${p}`),
    {
      policy: 'round-robin',
      passive: FAILOVER_PASSIVE,
      pool: { maxIdleConnsPerHost: POOL_SIZE },
      errorLog,
    },
  );
  const server = createServer(lb);
  return { port: (await server.listen(0, '127.0.0.1')).port, upstreams: lb.upstreams };
}

/**
 * startHttpProxyRR: what http-proxy's users write to balance (its README's
 * and issues' recipe): one proxy server, an array of targets and a counter
 * picking the next one per request; a keep-alive agent.
 */
function startHttpProxyRR(ports: readonly number[]): Promise<number> {
  const targets = ports.map((p) => `http://127.0.0.1:${p}`);
  const proxy = httpProxy.createProxyServer({
    agent: new http.Agent({ keepAlive: true, maxSockets: POOL_SIZE }),
  });
  proxy.on('error', (_err, _req, res) => {
    if (res instanceof http.ServerResponse && !res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
  let next = 0;
  return listen(
    http.createServer((req, res) => {
      const target = targets[next]!;
      next = (next + 1) % targets.length;
      proxy.web(req, res, { target });
    }),
  );
}
