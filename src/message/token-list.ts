/**
 * Comma-separated list fields (RFC 9110 §5.6.1: `#token`), read in place:
 * elements are trimmed of optional whitespace, which is SP and HTAB only
 * (§5.6.3), and empty elements are skipped.
 */
import { equalFoldAt } from '../parser/ascii-case.js';

/** isOWS reports whether `c` is optional whitespace: SP or HTAB, never NBSP or other Unicode spaces. */
export function isOWS(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** trimOWS returns `s` without its leading and trailing SP and HTAB; other spaces (NBSP, NEL, ...) stay. */
export function trimOWS(s: string): string {
  let from = 0;
  let to = s.length;
  while (from < to && isOWS(s.charCodeAt(from))) from++;
  while (to > from && isOWS(s.charCodeAt(to - 1))) to--;
  return from === 0 && to === s.length ? s : s.slice(from, to);
}

/**
 * forEachElement calls `fn(from, to)` for each non-empty element of the
 * list `value`, trimmed of OWS; it stops and returns true as soon as `fn`
 * returns true.
 */
export function forEachElement(
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
 * hasToken reports whether any of the list field lines `values`
 * (Connection, Transfer-Encoding, TE, Expect, ...) holds `token` as an
 * element, ignoring ASCII case (Go's httpguts.HeaderValuesContainsToken).
 */
export function hasToken(values: readonly string[], token: string): boolean {
  for (const value of values) {
    if (forEachElement(value, (from, to) => equalFoldAt(value, from, to, token))) return true;
  }
  return false;
}
