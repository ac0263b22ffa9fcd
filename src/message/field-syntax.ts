import { ProtocolError } from '../errors.js';
import { FIELD_VALUE, TOKEN, URL_CHAR } from '../parser/charsets.js';

/**
 * Checks for what we put on the wire, against the same tables our parser
 * reads with, so that whatever we write our strict parser accepts; and the
 * reading of list fields (`Connection`, `Expect`, `Trailer`, ...) with
 * optional whitespace that is SP and HTAB only (RFC 9110 §5.6.3): never
 * `String#trim()`, which also strips NBSP, NEL and other Unicode spaces.
 */

/** isToken reports whether `s` is a non-empty RFC 9110 §5.6.2 token (methods, header names). */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || TOKEN[c] === 0) return false;
  }
  return true;
}

/**
 * isFieldValue reports whether `s` may be a header value: HTAB, SP, VCHAR and
 * obs-text (one byte per char, latin1). CR, LF, NUL, other controls and DEL
 * are refused, and so is any char above U+00FF, which latin1 would fold onto
 * a byte such as CR (U+010D → 0x0D).
 */
export function isFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || FIELD_VALUE[c] === 0) return false;
  }
  return true;
}

/** isRequestTarget reports whether `s` is non-empty and made of VCHARs only (llhttp's strict URL bytes). */
export function isRequestTarget(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || URL_CHAR[c] === 0) return false;
  }
  return true;
}

/** assertHeaderName throws `ERR_INVALID_HEADER` unless `name` is a token. */
export function assertHeaderName(name: string): void {
  if (!isToken(name)) {
    throw new ProtocolError('ERR_INVALID_HEADER', `invalid header name ${JSON.stringify(name)}`);
  }
}

/** assertHeaderValue throws `ERR_INVALID_HEADER` unless `value` passes `isFieldValue`. */
export function assertHeaderValue(name: string, value: string): void {
  if (!isFieldValue(value)) {
    throw new ProtocolError(
      'ERR_INVALID_HEADER',
      `invalid value for header ${JSON.stringify(name)}`,
    );
  }
}

/** isOWS reports whether the char code `c` is optional whitespace: SP or HTAB, nothing else. */
export function isOWS(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** trimOWS returns `s` without its leading and trailing SP and HTAB; other spaces (NBSP, ...) stay. */
export function trimOWS(s: string): string {
  let from = 0;
  let to = s.length;
  while (from < to && isOWS(s.charCodeAt(from))) from++;
  while (to > from && isOWS(s.charCodeAt(to - 1))) to--;
  return from === 0 && to === s.length ? s : s.slice(from, to);
}

/**
 * forEachListElement calls `fn(from, to)` for each comma-separated element
 * `value[from, to)` of a list field, OWS trimmed, empty elements skipped
 * (RFC 9110 §5.6.1). It stops and returns true as soon as `fn` returns true.
 */
export function forEachListElement(
  value: string,
  fn: (from: number, to: number) => boolean | void,
): boolean {
  let start = 0;
  while (start <= value.length) {
    let end = value.indexOf(',', start);
    if (end === -1) end = value.length;
    let from = start;
    let to = end;
    while (from < to && isOWS(value.charCodeAt(from))) from++;
    while (to > from && isOWS(value.charCodeAt(to - 1))) to--;
    if (from < to && fn(from, to) === true) return true;
    start = end + 1;
  }
  return false;
}

/**
 * hasToken reports whether any of `values`, a list field's lines
 * (`Connection`, `Transfer-Encoding`, `Expect`), holds `token` as one of
 * its elements, ignoring ASCII case and OWS; a non-ASCII char never
 * matches (Go's httpguts.HeaderValuesContainsToken), so
 * `100-continue\u00a0` is not `100-continue`.
 */
export function hasToken(values: readonly string[], token: string): boolean {
  for (const value of values) {
    const found = forEachListElement(value, (from, to) => elementEquals(value, from, to, token));
    if (found) return true;
  }
  return false;
}

/** elementEquals compares `value[from, to)` with `token`, ASCII case-insensitively (Go's tokenEqual). */
function elementEquals(value: string, from: number, to: number, token: string): boolean {
  if (to - from !== token.length) return false;
  for (let i = 0; i < token.length; i++) {
    const c = value.charCodeAt(from + i);
    if (c >= 0x80 || lowerASCII(c) !== lowerASCII(token.charCodeAt(i))) return false;
  }
  return true;
}

/** Lower-cases one ASCII letter code; other codes are returned as they are. */
function lowerASCII(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** equalFoldASCII compares two strings ignoring ASCII case only (Go's ascii.EqualFold). */
export function equalFoldASCII(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (lowerASCII(a.charCodeAt(i)) !== lowerASCII(b.charCodeAt(i))) return false;
  }
  return true;
}

/** isPrintableASCII reports whether every char of `s` is in SP..`~` (Go's ascii.IsPrint). */
export function isPrintableASCII(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/**
 * FORBIDDEN_TRAILERS: lower-case names that may not be trailer fields
 * (RFC 9110 §6.5.1: framing and routing fields), as Go's fixTrailer and
 * transferWriter refuse them.
 */
export const FORBIDDEN_TRAILERS: ReadonlySet<string> = new Set([
  'content-length',
  'transfer-encoding',
  'trailer',
  'host',
]);
