export { type HealthOptions } from './active-health.js';
export { type PassiveOptions } from './passive-health.js';
export { type UpstreamPolicy } from './policy.js';
export { UPSTREAM_STATE_CHANNEL, type UpstreamStateMessage } from './state-channel.js';
export { type UpstreamStatus, type UpstreamTargetInit } from './target.js';
export { type RetryOptions, type UpstreamsOptions } from './upstream-options.js';
export { Upstreams } from './upstreams.js';
export { type ForwardAuthHook, type ForwardAuthOptions, forwardAuth } from './forward-auth.js';
export { LoadBalancingReverseProxy, newLoadBalancingReverseProxy } from './load-balancing-proxy.js';
