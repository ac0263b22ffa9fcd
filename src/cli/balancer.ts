/**
 * The ReverseProxy behind `httpwire proxy`: newSingleHostReverseProxy for
 * one target with no balancing flag, newLoadBalancingReverseProxy (an
 * Upstreams) for several, or for one with `--lb`, `--health-path` or
 * `--retries`.
 */
import type { Request } from '../message/request.js';
import {
  newSingleHostReverseProxy,
  OWN_TRANSPORT,
  type ReverseProxy,
} from '../proxy/reverse-proxy.js';
import type { RoundTripper } from '../transport/round-tripper.js';
import { Transport } from '../transport/transport.js';
import { splitHostPort } from '../proxy/x-forwarded.js';
import { newLoadBalancingReverseProxy } from '../upstream/load-balancing-proxy.js';
import type { UpstreamPolicy } from '../upstream/policy.js';
import type { UpstreamsOptions } from '../upstream/upstream-options.js';
import { type UpstreamMetrics, type UpstreamState, originOf } from './metrics.js';
import type { LbPolicy, ProxyArgs } from './proxy-args.js';

/** Balancer: the proxy and the status of its targets. */
export interface Balancer {
  proxy: ReverseProxy;
  /** What the proxy sends with (its `transport`): Upstreams, or the single host's pool. */
  transport: RoundTripper;
  /** status: one entry per target, as `Upstreams.status()`; `inFlight` and `metrics` fill it in for a single host. */
  status(inFlight: number, metrics: UpstreamMetrics): UpstreamState[];
  close(): void;
}

/** buildBalancer makes the proxy for `targets` (at least one) as `args` asks. */
export function buildBalancer(args: ProxyArgs, targets: ProxyArgs['targets']): Balancer {
  const balancing =
    targets.length > 1 || args.lb !== null || args.healthPath !== null || args.retries !== null;
  if (balancing) {
    const lb = newLoadBalancingReverseProxy(targets, upstreamsOptions(args));
    if (args.changeOrigin) changeOrigin(lb);
    return {
      proxy: lb,
      transport: lb.upstreams,
      status: () => lb.upstreams.status(),
      close: () => lb.close(),
    };
  }
  const target = targets[0]!;
  const proxy = newSingleHostReverseProxy(target.url);
  // The pool the proxy would make for itself, made here to be the Balancer's transport.
  const transport = new Transport(OWN_TRANSPORT);
  proxy.transport = transport;
  if (args.changeOrigin) changeOrigin(proxy);
  const url = new URL(target.url).href;
  const origin = originOf(target.url);
  return {
    proxy,
    transport,
    status: (inFlight, metrics) => {
      const c = metrics.counts(origin);
      return [
        {
          url,
          weight: target.weight,
          healthy: true,
          ejectedUntil: null,
          outstanding: inFlight,
          requests: c.requests,
          failures: c.errors,
          latencyEwmaMs: c.requests === 0 ? 0 : (c.sumSeconds * 1000) / c.requests,
        },
      ];
    },
    close: () => transport.close(),
  };
}

/** upstreamsOptions maps the balancing flags onto Upstreams options (unset flags keep its defaults). */
function upstreamsOptions(args: ProxyArgs): UpstreamsOptions {
  const options: UpstreamsOptions = {};
  if (args.lb !== null) options.policy = policyOf(args.lb);
  if (args.healthPath !== null) {
    options.health = { path: args.healthPath, interval: args.healthInterval ?? undefined };
  }
  if (args.retries !== null) options.retry = { tries: args.retries + 1 };
  return options;
}

function policyOf(lb: LbPolicy): UpstreamPolicy {
  if (lb !== 'ip-hash') return lb;
  // Consistent hashing on the client's IP: a client keeps its target while that target is up.
  return { hash: (req: Request) => splitHostPort(req.remoteAddr)?.host ?? req.remoteAddr };
}

/**
 * changeOrigin makes the proxy send the target's host as Host (http-proxy's
 * changeOrigin): an empty `host` is written from the URL, which the
 * director (or the balancer, later) points at the target.
 */
function changeOrigin(proxy: ReverseProxy): void {
  const director = proxy.director!;
  proxy.director = (out) => {
    director(out);
    out.host = '';
  };
}
