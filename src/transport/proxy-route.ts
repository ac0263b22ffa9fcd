import { parseAbsoluteURL } from '../message/url.js';
import type { Socket } from 'node:net';
import type { Request } from '../message/request.js';
import { dial, type DialOptions, type Origin, originOf } from './dial.js';
import { transportError } from './errors.js';
import { dialTunnel } from './proxy-tunnel.js';

/**
 * ProxyOption is the Transport's `proxy`: one proxy URL for every request
 * (a string or a `URL`), or a function choosing one per request (null: go
 * direct), such as `proxyFromEnvironment()`. `http:` requests go to the
 * proxy in absolute form over pooled connections; `https:` ones through a
 * CONNECT tunnel per origin, pooled, then TLS. Userinfo in the proxy URL
 * becomes `Proxy-Authorization: Basic`.
 */
export type ProxyOption = string | URL | ((req: Request) => URL | string | null);

/** ProxyEndpoint is a parsed proxy URL: where to connect and what to authenticate with. */
export interface ProxyEndpoint {
  /** The proxy's own origin (http or https: the connection to the proxy itself may be TLS). */
  origin: Origin;
  /** `Basic ...` from the URL's percent-decoded userinfo, or null without one. */
  authorization: string | null;
  /** Pool keys of requests through it: the proxy with its credentials (Go's connectMethodKey). */
  key: string;
}

/**
 * Route is how a request reaches its origin: `key` names its pool, `proxy`
 * is null for a direct connection. Through a proxy, `http:` requests share
 * the proxy's connections (absolute form), `https:` ones get a tunnel per
 * origin.
 */
export interface Route {
  key: string;
  origin: Origin;
  proxy: ProxyEndpoint | null;
  /** True for `http:` through a proxy: targets in absolute form, `Proxy-Authorization` on every request. */
  absoluteForm: boolean;
}

/**
 * proxyEndpointOf parses a proxy URL. A URL without a scheme is taken as
 * `http://` (as curl and Go do); a scheme other than http or https throws
 * `ERR_UNSUPPORTED_SCHEME`; a bad host or port `ERR_INVALID_URL`. The port
 * defaults to 80 or 443.
 */
export function proxyEndpointOf(proxy: string | URL): ProxyEndpoint {
  let text = typeof proxy === 'string' ? proxy : proxy.href;
  if (!text.includes('://')) text = `http://${text}`;
  const url = parseAbsoluteURL(text);
  if (url.scheme !== 'http' && url.scheme !== 'https') {
    throw transportError('ERR_UNSUPPORTED_SCHEME', `unsupported proxy scheme "${url.scheme}"`);
  }
  const origin = originOf(url);
  const credentials = userinfoOf(text);
  const authorization =
    credentials === null ? null : `Basic ${Buffer.from(credentials).toString('base64')}`;
  return { origin, authorization, key: `${origin.key}#${authorization ?? ''}` };
}

/** routeOf is the route of a request to `origin` through `proxy` (or directly, for null). */
export function routeOf(origin: Origin, proxy: ProxyEndpoint | null): Route {
  if (proxy === null) return { key: origin.key, origin, proxy, absoluteForm: false };
  const absoluteForm = origin.scheme === 'http';
  const key = absoluteForm ? `proxy ${proxy.key}` : `${origin.key} via ${proxy.key}`;
  return { key, origin, proxy, absoluteForm };
}

/** authorize sets `Proxy-Authorization` on a request that goes to the proxy in absolute form. */
export function authorize(route: Route, req: Request): void {
  const auth = route.proxy?.authorization ?? null;
  if (route.absoluteForm && auth !== null) req.header.set('Proxy-Authorization', auth);
}

/** dialRoute connects for `route`: to the origin, to the proxy (absolute form) or through a CONNECT tunnel. */
export function dialRoute(route: Route, options: DialOptions): Promise<Socket> {
  const { proxy } = route;
  if (proxy === null) return dial(route.origin, options);
  if (route.absoluteForm) return dial(proxy.origin, options);
  return dialTunnel(proxy, route.origin, options);
}

/** userinfoOf returns `user:password` percent-decoded from an absolute URL, or null when it has none. */
function userinfoOf(url: string): string | null {
  const start = url.indexOf('://') + 3;
  let end = start;
  while (end < url.length && !'/?#'.includes(url[end]!)) end++;
  const at = url.lastIndexOf('@', end - 1);
  if (at < start) return null;
  const userinfo = url.slice(start, at);
  const colon = userinfo.indexOf(':');
  const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
  const password = colon === -1 ? '' : userinfo.slice(colon + 1);
  try {
    return `${decodeURIComponent(user)}:${decodeURIComponent(password)}`;
  } catch {
    throw transportError('ERR_INVALID_URL', 'invalid percent-encoding in proxy userinfo');
  }
}
