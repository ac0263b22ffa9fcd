import { ProtocolError } from '../errors.js';

/**
 * MessageURL is where a request goes, split by hand and kept raw: `path` and
 * `query` are never decoded, re-encoded or normalized (`/a%2Fb` stays
 * `/a%2Fb`, `x=%zz;y` stays `x=%zz;y`). `query` has no leading `?`;
 * `forceQuery` keeps a `?` with an empty query (Go's URL.ForceQuery). On the
 * server side an origin-form target fills only `path` and `query`, an
 * authority-form target (CONNECT) only `host`, and `*` gives `path: '*'`.
 */
export interface MessageURL {
  /** Lower-case scheme without `:` (`http`), or '' for a target read off the wire. */
  scheme: string;
  /** `host[:port]` as given (userinfo dropped), or ''. */
  host: string;
  /** The raw path, '' when the URL has none (written as `/`). */
  path: string;
  /** The raw query without `?`, '' when none. */
  query: string;
  /** Write `?` even when `query` is empty. */
  forceQuery?: boolean;
}

function isAlpha(c: number): boolean {
  return (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
}

function isSchemeChar(c: number): boolean {
  return isAlpha(c) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
}

function invalid(url: string, why: string): ProtocolError {
  return new ProtocolError('ERR_INVALID_URL', `invalid url ${JSON.stringify(url)}: ${why}`);
}

/**
 * escapeUnsafe percent-encodes (as UTF-8) the chars a request-target cannot
 * carry at all, SP and non-ASCII, leaving every other char as given. Control
 * characters are refused, as Go's url.Parse does.
 */
function escapeUnsafe(url: string, part: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) continue;
    if (c < 0x20 || c === 0x7f) throw invalid(url, 'control character');
    const width = c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    out += part.slice(from, i) + encodeURIComponent(part.slice(i, i + width));
    i += width - 1;
    from = i + 1;
  }
  return from === 0 ? part : out + part.slice(from);
}

/**
 * parseAbsoluteURL splits `scheme://[userinfo@]host[:port][/path][?query][#fragment]`.
 * The fragment and userinfo are dropped; SP and non-ASCII chars in the path
 * and query are percent-encoded; nothing else changes. Throws a
 * `ProtocolError` `ERR_INVALID_URL` for anything else.
 */
export function parseAbsoluteURL(url: string): MessageURL {
  const colon = url.indexOf(':');
  if (colon < 1 || !isAlpha(url.charCodeAt(0))) throw invalid(url, 'not absolute');
  for (let i = 1; i < colon; i++) {
    if (!isSchemeChar(url.charCodeAt(i))) throw invalid(url, 'bad scheme');
  }
  if (!url.startsWith('//', colon + 1)) throw invalid(url, 'no authority');
  const hash = url.indexOf('#');
  const end = hash === -1 ? url.length : hash;
  const authorityStart = colon + 3;
  let authorityEnd = authorityStart;
  while (authorityEnd < end) {
    const c = url.charCodeAt(authorityEnd);
    if (c === 0x2f /* / */ || c === 0x3f /* ? */) break;
    authorityEnd++;
  }
  const authority = url.slice(authorityStart, authorityEnd);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f)
      throw invalid(url, 'host must be ASCII (pass a URL object for IDNs)');
  }
  const question = url.indexOf('?', authorityEnd);
  const pathEnd = question === -1 || question > end ? end : question;
  const parsed: MessageURL = {
    scheme: url.slice(0, colon).toLowerCase(),
    host,
    path: escapeUnsafe(url, url.slice(authorityEnd, pathEnd)),
    query: pathEnd < end ? escapeUnsafe(url, url.slice(pathEnd + 1, end)) : '',
  };
  if (pathEnd < end && parsed.query === '') parsed.forceQuery = true;
  return parsed;
}

/**
 * parseRequestTarget splits a request-target as read off the wire (RFC 9112
 * §3.2): `*`, authority form for CONNECT, origin form (`/path?query`) or
 * absolute form. Nothing is decoded or escaped, and `#` is data, as in Go's
 * url.ParseRequestURI. Throws `ERR_INVALID_URL` for anything else.
 */
export function parseRequestTarget(method: string, target: string): MessageURL {
  if (target === '*') return { scheme: '', host: '', path: '*', query: '' };
  if (method === 'CONNECT' && !target.startsWith('/')) {
    return { scheme: '', host: target, path: '', query: '' };
  }
  let rest = target;
  let scheme = '';
  let host = '';
  if (!target.startsWith('/')) {
    const colon = target.indexOf('://');
    if (colon < 1) throw invalid(target, 'not a request-target');
    scheme = target.slice(0, colon).toLowerCase();
    const slash = target.indexOf('/', colon + 3);
    const question = target.indexOf('?', colon + 3);
    let authorityEnd = target.length;
    if (slash !== -1) authorityEnd = slash;
    if (question !== -1 && question < authorityEnd) authorityEnd = question;
    const authority = target.slice(colon + 3, authorityEnd);
    host = authority.slice(authority.lastIndexOf('@') + 1);
    rest = target.slice(authorityEnd);
  }
  const question = rest.indexOf('?');
  if (question === -1) return { scheme, host, path: rest, query: '' };
  const parsed: MessageURL = {
    scheme,
    host,
    path: rest.slice(0, question),
    query: rest.slice(question + 1),
  };
  if (parsed.query === '') parsed.forceQuery = true;
  return parsed;
}

/** originForm returns `path?query` as it goes on the wire in origin form (`/` for an empty path). */
export function originForm(url: MessageURL): string {
  const path = url.path === '' ? '/' : url.path;
  if (url.query !== '') return path + '?' + url.query;
  return url.forceQuery === true ? path + '?' : path;
}

/**
 * requestTarget returns the request-target for the request line (RFC 9112
 * §3.2), following Go's Request.write: CONNECT with no path goes in
 * authority form (`host`, else `url.host`), a proxy gets the absolute form
 * `scheme://host/path?query` when the URL has a scheme (`*` becomes the
 * bare `scheme://host`, RFC 9112 §3.2.4), and everything else the origin form.
 */
export function requestTarget(
  method: string,
  url: MessageURL,
  host: string,
  absoluteForm: boolean,
): string {
  const authority = host !== '' ? host : url.host;
  if (method === 'CONNECT' && url.path === '') return authority;
  if (absoluteForm && url.scheme !== '') {
    return url.scheme + '://' + authority + (url.path === '*' ? '' : originForm(url));
  }
  if (url.path === '*') return '*';
  return originForm(url);
}
