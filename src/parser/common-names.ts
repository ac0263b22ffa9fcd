/**
 * Common field names, interned: the parser hands these strings out for a
 * name whose bytes spell one of them exactly (in its canonical or its
 * lower case), instead of a new slice of the head, so that the Header's
 * lookups of these names hit a string whose hash is already known.
 */
import type { Bytes } from './bytes.js';

/** COMMON_NAMES: field names most heads carry, in canonical case. */
export const COMMON_NAMES: readonly string[] = Object.freeze([
  'Accept',
  'Accept-Encoding',
  'Accept-Language',
  'Accept-Ranges',
  'Age',
  'Authorization',
  'Cache-Control',
  'Connection',
  'Content-Encoding',
  'Content-Length',
  'Content-Type',
  'Cookie',
  'Date',
  'ETag',
  'Expect',
  'Expires',
  'Forwarded',
  'Host',
  'If-Modified-Since',
  'If-None-Match',
  'Keep-Alive',
  'Last-Modified',
  'Location',
  'Origin',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Proxy-Connection',
  'Range',
  'Referer',
  'Server',
  'Set-Cookie',
  'TE',
  'Te',
  'Trailer',
  'Transfer-Encoding',
  'Upgrade',
  'User-Agent',
  'Vary',
  'Via',
  'WWW-Authenticate',
  'X-Forwarded-For',
  'X-Forwarded-Host',
  'X-Forwarded-Proto',
]);

/** A spelling to match: the interned string and its bytes. */
interface Spelling {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** SPELLINGS: canonical and lower-case spellings by `length << 8 | first byte`. */
const SPELLINGS = new Map<number, Spelling[]>();
for (const canonical of COMMON_NAMES) {
  const lower = canonical.toLowerCase();
  for (const name of lower === canonical ? [canonical] : [canonical, lower]) {
    const key = (name.length << 8) | name.charCodeAt(0);
    const list = SPELLINGS.get(key) ?? [];
    if (!list.some((s) => s.name === name)) list.push({ name, bytes: Buffer.from(name, 'latin1') });
    SPELLINGS.set(key, list);
  }
}

/**
 * internedName returns the interned string spelled exactly by
 * `data[from..to)`, or null when those bytes are not a common name in its
 * canonical or lower case (the caller slices them then).
 */
export function internedName(data: Bytes, from: number, to: number): string | null {
  const list = SPELLINGS.get(((to - from) << 8) | data[from]!);
  if (list === undefined) return null;
  for (let s = 0; s < list.length; s++) {
    const bytes = list[s]!.bytes;
    let i = 1;
    while (i < bytes.length && bytes[i] === data[from + i]) i++;
    if (i === bytes.length) return list[s]!.name;
  }
  return null;
}
