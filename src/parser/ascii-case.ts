/**
 * ASCII case folding for protocol tokens (field names, codings, methods):
 * only A-Z fold, as Go's `ascii.EqualFold`; `toLowerCase()` would also fold
 * non-ASCII letters a peer could use to slip past a check.
 */

/** lowerASCII lower-cases one ASCII letter code; every other code is returned as it is. */
export function lowerASCII(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** equalFoldAt reports whether `s.slice(from, to)` equals `b` ignoring ASCII case, without slicing. */
export function equalFoldAt(s: string, from: number, to: number, b: string): boolean {
  if (to - from !== b.length) return false;
  for (let i = 0; i < b.length; i++) {
    if (lowerASCII(s.charCodeAt(from + i)) !== lowerASCII(b.charCodeAt(i))) return false;
  }
  return true;
}

/** equalFoldASCII reports whether `a` and `b` are equal ignoring ASCII case only (Go's ascii.EqualFold). */
export function equalFoldASCII(a: string, b: string): boolean {
  return equalFoldAt(a, 0, a.length, b);
}
