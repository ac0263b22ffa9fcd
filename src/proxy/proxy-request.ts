import type { Request } from '../message/request.js';
import { parseTarget, type ProxyTarget, rewriteRequestURL } from './proxy-url.js';
import { cleanQueryParams } from './query-sanitize.js';
import { setXForwarded, stripForwardingHeaders } from './x-forwarded.js';

/** Options of `ProxyRequest`. */
export interface ProxyRequestOptions {
  /** The inbound request arrived over TLS: `setXForwarded` then sends `X-Forwarded-Proto: https`. Default false. */
  tls?: boolean;
}

/**
 * ProxyRequest is what a ReverseProxy `rewrite` function receives (Go's
 * httputil.ProxyRequest): `in`, the request the proxy received, which the
 * rewrite must not change, and `out`, the request the proxy will send,
 * which it may change or replace.
 */
export class ProxyRequest {
  /** The request received by the proxy; do not modify it. */
  readonly in: Request;
  /** The request the proxy will send; hop-by-hop fields are already removed. */
  out: Request;
  readonly #tls: boolean;

  constructor(inbound: Request, out: Request, options: ProxyRequestOptions = {}) {
    this.in = inbound;
    this.out = out;
    this.#tls = options.tls ?? false;
  }

  /**
   * setURL routes `out` to the scheme, host and base path of `target`
   * (Go's SetURL): a target path `/base` and an outbound path `/dir` give
   * `/base/dir`; the queries are joined with `&`. It also sets `out.host`
   * to '' so that the Host line comes from the new URL; set `out.host =
   * this.in.host` afterwards to keep the inbound Host. Throws
   * `ERR_INVALID_URL` for a target string that is not an absolute URL.
   */
  setURL(target: ProxyTarget): void {
    rewriteRequestURL(this.out, parseTarget(target));
    this.out.host = '';
  }

  /**
   * setXForwarded sets `X-Forwarded-For` (the values already in `out`,
   * then the client IP), `X-Forwarded-Host` (the inbound host) and
   * `X-Forwarded-Proto` (`http` or `https`) on `out`, as Go's
   * SetXForwarded. The client's own forwarding fields were stripped from
   * `out`; to extend the client's chain, copy it first:
   * `r.out.header.set('X-Forwarded-For', r.in.header.values('X-Forwarded-For'))`.
   */
  setXForwarded(): void {
    setXForwarded(this.in, this.out.header, this.#tls);
  }
}

/**
 * newProxyRequest prepares `out` for a `rewrite` call as Go's ServeHTTP does
 * (after hop-by-hop removal): it removes the client's `Forwarded` and
 * `X-Forwarded-*` fields and unparsable query parameters (`cleanQueryParams`)
 * from `out`, then wraps both requests in a `ProxyRequest`.
 */
export function newProxyRequest(
  inbound: Request,
  out: Request,
  options: ProxyRequestOptions = {},
): ProxyRequest {
  stripForwardingHeaders(out.header);
  const query = cleanQueryParams(out.url.query);
  if (query !== out.url.query) out.url = { ...out.url, query };
  return new ProxyRequest(inbound, out, options);
}
