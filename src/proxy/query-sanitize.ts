/**
 * MAX_QUERY_PARAMS is the most `&`-separated parameters a query may have
 * before Go's url.ParseQuery refuses it whole (net/url defaultMaxParams);
 * `cleanQueryParams` then drops the entire query.
 */
export const MAX_QUERY_PARAMS = 10_000;

const HEX = '0123456789ABCDEF';

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** RFC 3986 unreserved: the only bytes Go's QueryEscape leaves as they are. */
function isUnreserved(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x5f ||
    c === 0x7e
  );
}

function countParams(query: string): number {
  let n = 1;
  for (let i = query.indexOf('&'); i !== -1; i = query.indexOf('&', i + 1)) n++;
  return n;
}

/**
 * Go's url.QueryUnescape on a byte string (one char per byte): `+` is SP and
 * `%XX` a byte; returns null when a `%` is not followed by two hex digits.
 */
function queryUnescape(s: string): string | null {
  if (s.indexOf('%') === -1 && s.indexOf('+') === -1) return s;
  const bytes = Buffer.allocUnsafe(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hi = i + 2 < s.length ? hexValue(s.charCodeAt(i + 1)) : -1;
      const lo = hi === -1 ? -1 : hexValue(s.charCodeAt(i + 2));
      if (lo === -1) return null;
      bytes[n++] = (hi << 4) | lo;
      i += 2;
    } else {
      bytes[n++] = c === 0x2b /* + */ ? 0x20 : c;
    }
  }
  return bytes.toString('latin1', 0, n);
}

/** Go's url.QueryEscape on a byte string: unreserved bytes kept, SP as `+`, the rest `%XX`. */
function queryEscape(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isUnreserved(c)) continue;
    out += s.slice(from, i) + (c === 0x20 ? '+' : '%' + HEX[c >> 4] + HEX[c & 15]);
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

/**
 * reencode is Go's `url.ParseQuery(s)` then `Values.Encode()`: pairs
 * holding `;` or a bad escape and empty pairs are dropped, keys sorted
 * (byte order), values of a key kept in order, all re-escaped.
 */
function reencode(query: string): string {
  if (countParams(query) > MAX_QUERY_PARAMS) return '';
  const values = new Map<string, string[]>();
  for (const pair of query.split('&')) {
    if (pair === '' || pair.indexOf(';') !== -1) continue;
    const eq = pair.indexOf('=');
    const key = queryUnescape(eq === -1 ? pair : pair.slice(0, eq));
    if (key === null) continue;
    const value = queryUnescape(eq === -1 ? '' : pair.slice(eq + 1));
    if (value === null) continue;
    const list = values.get(key);
    if (list === undefined) values.set(key, [value]);
    else list.push(value);
  }
  const parts: string[] = [];
  for (const key of [...values.keys()].sort()) {
    const escapedKey = queryEscape(key);
    for (const value of values.get(key)!) parts.push(escapedKey + '=' + queryEscape(value));
  }
  return parts.join('&');
}

/** Byte string of a raw query: as is when every char is a byte, else its UTF-8 bytes as latin1. */
function toByteString(query: string): string {
  for (let i = 0; i < query.length; i++) {
    if (query.charCodeAt(i) > 0xff) return Buffer.from(query, 'utf8').toString('latin1');
  }
  return query;
}

/**
 * cleanQueryParams returns a raw query a backend cannot read differently
 * from us (Go's cleanQueryParams, the query-smuggling fix). A query with
 * more than `MAX_QUERY_PARAMS` parameters, a `;`, or a `%` not followed by
 * two hex digits is parsed as Go's url.ParseQuery does (unparsable pairs
 * dropped; all of it when there are too many) and re-encoded as
 * `Values.Encode()` (keys sorted, `a=1&a=%zz&b=3` → `a=1&b=3`); any other
 * query is returned unchanged. Go applies it to the outbound query before
 * calling `rewrite`, and after a `director` only when the director parsed
 * the form.
 */
export function cleanQueryParams(query: string): string {
  if (countParams(query) > MAX_QUERY_PARAMS) return reencode(query);
  for (let i = 0; i < query.length;) {
    const c = query.charCodeAt(i);
    if (c === 0x3b /* ; */) return reencode(toByteString(query));
    if (c === 0x25 /* % */) {
      if (
        i + 2 >= query.length ||
        hexValue(query.charCodeAt(i + 1)) === -1 ||
        hexValue(query.charCodeAt(i + 2)) === -1
      ) {
        return reencode(toByteString(query));
      }
      i += 3;
    } else {
      i++;
    }
  }
  return query;
}
