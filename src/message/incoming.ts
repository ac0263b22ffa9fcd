import type { HeaderPair } from '../parser/types.js';
import { FORBIDDEN_TRAILERS, isToken } from './field-syntax.js';
import { Header } from './header.js';

/**
 * Framing fields of an incoming message are stated by `contentLength` and
 * `trailer` instead, as in Go's readTransfer, and the writers never copy
 * them from `header`. `Content-Length` stays unless the body is chunked
 * (RFC 9112 §6.3: Transfer-Encoding overrides it). A request's Host line
 * becomes its `host` field.
 */
const RESPONSE_FRAMING: ReadonlySet<string> = new Set(['transfer-encoding', 'trailer']);
const CHUNKED_RESPONSE_FRAMING: ReadonlySet<string> = new Set([
  ...RESPONSE_FRAMING,
  'content-length',
]);
const REQUEST_FRAMING: ReadonlySet<string> = new Set([...RESPONSE_FRAMING, 'host']);
const CHUNKED_REQUEST_FRAMING: ReadonlySet<string> = new Set([...CHUNKED_RESPONSE_FRAMING, 'host']);

/**
 * incomingHeader wraps the parsed fields of an incoming message (unchecked,
 * see `Header.fromWire`) without its framing fields and, for a request,
 * without Host.
 */
export function incomingHeader(
  pairs: readonly HeaderPair[],
  chunked: boolean,
  request: boolean,
): Header {
  const exclude = request
    ? chunked
      ? CHUNKED_REQUEST_FRAMING
      : REQUEST_FRAMING
    : chunked
      ? CHUNKED_RESPONSE_FRAMING
      : RESPONSE_FRAMING;
  return Header.fromWire(pairs, exclude);
}

/** wireValue returns the first value of the field named `lower` (lower case) among parsed pairs, or null. */
export function wireValue(pairs: readonly HeaderPair[], lower: string): string | null {
  for (let i = 0; i < pairs.length; i++) {
    const name = pairs[i]![0];
    if (name.length === lower.length && name.toLowerCase() === lower) return pairs[i]![1];
  }
  return null;
}

/**
 * announcedTrailer adds each name listed in the `Trailer` fields of an
 * incoming chunked message to `into` with a null value (announced, not yet
 * received) and returns `into`. A message that is not chunked cannot carry
 * trailers, so nothing is added; names that are not tokens or are framing
 * fields are skipped.
 */
export function announcedTrailer(
  pairs: readonly HeaderPair[],
  chunked: boolean,
  into = new Header(),
): Header {
  if (!chunked) return into;
  for (let i = 0; i < pairs.length; i++) {
    const [field, value] = pairs[i]!;
    if (field.length !== 7 || field.toLowerCase() !== 'trailer') continue;
    for (const part of value.split(',')) {
      const name = part.trim();
      if (isToken(name) && !FORBIDDEN_TRAILERS.has(name.toLowerCase()) && !into.has(name)) {
        into.set(name, null);
      }
    }
  }
  return into;
}
