import { FORBIDDEN_TRAILERS, isToken } from './field-syntax.js';
import { Header } from './header.js';

/**
 * announcedTrailer adds each name listed in the `Trailer` header of an
 * incoming chunked message to `into` with a null value (announced, not yet
 * received) and returns `into`. A message that is not chunked cannot carry
 * trailers, so nothing is added; names that are not tokens or are framing
 * fields are skipped.
 */
export function announcedTrailer(header: Header, chunked: boolean, into = new Header()): Header {
  if (!chunked) return into;
  for (const value of header.values('Trailer')) {
    for (const part of value.split(',')) {
      const name = part.trim();
      if (isToken(name) && !FORBIDDEN_TRAILERS.has(name.toLowerCase()) && !into.has(name)) {
        into.set(name, null);
      }
    }
  }
  return into;
}

/**
 * stripFraming removes the framing fields of an incoming message from its
 * header, as Go's readTransfer does: they are stated by `contentLength` and
 * `trailer` instead, and the writers never copy them from `header`.
 * `Content-Length` stays unless the body is chunked (RFC 9112 §6.3:
 * Transfer-Encoding overrides it).
 */
export function stripFraming(header: Header, chunked: boolean): void {
  header.delete('Transfer-Encoding');
  header.delete('Trailer');
  if (chunked) header.delete('Content-Length');
}
