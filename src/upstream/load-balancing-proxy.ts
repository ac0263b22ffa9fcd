import { markPlainDirector } from '../proxy/plain-director.js';
import { ReverseProxy, type ReverseProxyOptions } from '../proxy/reverse-proxy.js';
import type { UpstreamTargetInit } from './target.js';
import type { UpstreamsOptions } from './upstream-options.js';
import { Upstreams } from './upstreams.js';

/**
 * LoadBalancingReverseProxy is a ReverseProxy whose transport is its own
 * Upstreams; `close()` closes both.
 */
export class LoadBalancingReverseProxy extends ReverseProxy {
  /** The targets, for `status()`, `add` and `remove`. */
  readonly upstreams: Upstreams;

  constructor(upstreams: Upstreams, options: ReverseProxyOptions) {
    super({ ...options, transport: upstreams });
    this.upstreams = upstreams;
  }

  /** close closes the Upstreams (health checks, pools) and what the ReverseProxy made for itself. */
  override close(): void {
    this.upstreams.close();
    super.close();
  }
}

/**
 * newLoadBalancingReverseProxy returns a ReverseProxy over an Upstreams of
 * `targets`: each request goes to the target the policy picks, with
 * newSingleHostReverseProxy's rules per target (the target's path joined
 * with the request's, queries merged, the inbound Host kept). `options`
 * are the Upstreams options (`joinPath` is always on; `errorLog` serves
 * the proxy too); ReverseProxy options are set as properties afterwards
 * (`lb.proxy = forwardAuth(...)`, `lb.modifyResponse = ...`). No
 * available target gives 503, every attempt failing 502.
 */
export function newLoadBalancingReverseProxy(
  targets: readonly UpstreamTargetInit[],
  options: UpstreamsOptions = {},
): LoadBalancingReverseProxy {
  const upstreams = new Upstreams(targets, { ...options, joinPath: true });
  return new LoadBalancingReverseProxy(upstreams, {
    errorLog: options.errorLog,
    director: markPlainDirector(noRewrite),
  });
}

/** noRewrite: the Upstreams routes each request; the director has nothing left to do. */
function noRewrite(): void {}
