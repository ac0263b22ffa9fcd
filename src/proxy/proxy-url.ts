import { type MessageURL, parseAbsoluteURL } from '../message/url.js';

/** ProxyTarget: where a proxy routes requests, an absolute URL string, a `URL`, or a `MessageURL`. */
export type ProxyTarget = string | URL | MessageURL;

/**
 * singleJoiningSlash joins two paths with exactly one `/` between them when
 * `a` ends or `b` starts with one, and adds one when neither does (Go's
 * singleJoiningSlash): `('/base/', '/dir')` and `('/base', 'dir')` both
 * give `/base/dir`; `('', '')` gives `/`.
 */
export function singleJoiningSlash(a: string, b: string): string {
  const aslash = a.endsWith('/');
  const bslash = b.startsWith('/');
  if (aslash && bslash) return a + b.slice(1);
  if (!aslash && !bslash) return a + '/' + b;
  return a + b;
}

/**
 * joinURLPath joins a target's raw path and a request's raw path. Our paths
 * are kept escaped, so this is Go's joinURLPath on EscapedPath(): the slash
 * rule looks at the escaped forms and `%2F` is never a separator
 * (`/a%2Fb%2F` + `c` gives `/a%2Fb%2F/c`).
 */
export function joinURLPath(targetPath: string, requestPath: string): string {
  return singleJoiningSlash(targetPath, requestPath);
}

/**
 * joinQuery merges raw queries as NewSingleHostReverseProxy's director does:
 * the target's query, then `&`, then the request's, the `&` only when both
 * are non-empty. Neither is parsed or re-encoded.
 */
export function joinQuery(targetQuery: string, requestQuery: string): string {
  if (targetQuery === '' || requestQuery === '') return targetQuery + requestQuery;
  return targetQuery + '&' + requestQuery;
}

/**
 * parseTarget returns `target` as a `MessageURL`: strings and `URL`s are
 * split by `parseAbsoluteURL` (raw path and query kept), a `MessageURL` is
 * copied. Throws `ERR_INVALID_URL` for a string that is not an absolute URL.
 */
export function parseTarget(target: ProxyTarget): MessageURL {
  if (typeof target === 'string') return parseAbsoluteURL(target);
  if (target instanceof URL) return parseAbsoluteURL(target.href);
  return { ...target };
}

/**
 * rewriteRequestURL routes `req` to `target` as Go's rewriteRequestURL:
 * scheme and host from the target, path `joinURLPath(target, req)`, query
 * `joinQuery(target, req)`. `req.url` is replaced by a new object (the old
 * one, which an inbound request may share, is left alone); `req.host` is
 * not touched.
 */
export function rewriteRequestURL(req: { url: MessageURL }, target: MessageURL): void {
  const url = req.url;
  req.url = {
    ...url,
    scheme: target.scheme,
    host: target.host,
    path: joinURLPath(target.path, url.path),
    query: joinQuery(target.query, url.query),
  };
}
