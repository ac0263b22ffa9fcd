/**
 * `httpwire forward --upstream URL`: everything the forward proxy sends
 * goes through another proxy, as proxy-chain's `upstreamProxyUrl` and
 * Squid's parent proxies: tunnels by a CONNECT to it, forwarded requests
 * in absolute form, with `Proxy-Authorization` from the URL's userinfo.
 */
import type { Dialer } from '../forward/dial-target.js';
import { watchSignal } from '../message/abort-watch.js';
import { dialTunnel } from '../transport/proxy-tunnel.js';
import { type ProxyEndpoint, proxyEndpointOf } from '../transport/proxy-route.js';
import { Transport } from '../transport/transport.js';
import { UsageError } from './flags.js';

/** UpstreamProxy: the forward proxy's way out through another proxy. */
export interface UpstreamProxy {
  /** The proxy's origin, without credentials (`http://host:port`): for the banner. */
  origin: string;
  /** Opens each tunnel with a CONNECT to the upstream proxy. */
  dial: Dialer;
  /** Sends forwarded requests to the upstream proxy, pooled; close it at the end. */
  transport: Transport;
}

/** parseUpstream checks `--upstream URL` (an http or https proxy URL); a bad one is a UsageError. */
export function parseUpstream(url: string): ProxyEndpoint {
  try {
    return proxyEndpointOf(url);
  } catch (err) {
    throw new UsageError(`--upstream ${JSON.stringify(url)}: ${(err as Error).message}`);
  }
}

/** upstreamProxy makes the dialer and the Transport that send through the proxy at `url`. */
export function upstreamProxy(url: string): UpstreamProxy {
  const endpoint = parseUpstream(url);
  const dial: Dialer = (host, port, { signal }) => {
    const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const target = { scheme: 'http' as const, hostname: host, port, key: `http://${authority}` };
    return dialTunnel(endpoint, target, { abort: watchSignal(signal) });
  };
  // As many idle connections as the proxy keeps to origins (ForwardProxy's own transport).
  const transport = new Transport({ proxy: url, maxIdleConnsPerHost: 128 });
  return { origin: endpoint.origin.key, dial, transport };
}
