import type { Request } from '../message/request.js';
import { originOf } from './dial.js';
import { NoProxy } from './no-proxy.js';

/** ProxyEnvironment: the variables `proxyFromEnvironment` reads; `process.env` by default. */
export type ProxyEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * proxyFromEnvironment returns a Transport `proxy` function from the
 * environment, as curl reads it: `http_proxy` (then `HTTP_PROXY`) for
 * `http:` requests, `https_proxy` (then `HTTPS_PROXY`) for `https:`, the
 * lower-case form first; an empty value means none. `HTTP_PROXY` is
 * ignored when `REQUEST_METHOD` is set, as in a CGI script, where a client
 * controls it through the `Proxy` header (httpoxy, CVE-2016-5385). A value
 * without a scheme is taken as `http://`. `no_proxy` (then `NO_PROXY`)
 * lists hosts reached directly, with curl's rules (see NoProxy). The
 * environment is read once, now. Userinfo in a proxy URL becomes
 * `Proxy-Authorization: Basic`, percent-decoded.
 */
export function proxyFromEnvironment(
  env: ProxyEnvironment = process.env,
): (req: Request) => URL | null {
  const http = proxyURL(
    pick(env.http_proxy, env.REQUEST_METHOD === undefined ? env.HTTP_PROXY : undefined),
  );
  const https = proxyURL(pick(env.https_proxy, env.HTTPS_PROXY));
  const noProxy = new NoProxy(pick(env.no_proxy, env.NO_PROXY) ?? '');
  return (req) => {
    const scheme = req.url.scheme;
    const proxy = scheme === 'http' ? http : scheme === 'https' ? https : null;
    if (proxy === null) return null;
    const origin = originOf(req.url);
    return noProxy.matches(origin.hostname, origin.port) ? null : proxy;
  };
}

/** pick returns the first value that is set and not empty. */
function pick(lower: string | undefined, upper: string | undefined): string | undefined {
  return lower !== undefined && lower !== ''
    ? lower
    : upper !== undefined && upper !== ''
      ? upper
      : undefined;
}

/** proxyURL parses a proxy variable; a value without `://` is `http://` (curl). A bad one throws a TypeError naming it. */
function proxyURL(value: string | undefined): URL | null {
  if (value === undefined) return null;
  const text = value.includes('://') ? value : `http://${value}`;
  try {
    return new URL(text);
  } catch {
    throw new TypeError(`invalid proxy URL in the environment: ${JSON.stringify(value)}`);
  }
}
