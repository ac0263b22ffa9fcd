import type { Header } from './header.js';

/** CRLF ends a chunk's data (RFC 9112 §7.1). */
export const CRLF: Uint8Array = Buffer.from('\r\n', 'latin1');

/** chunkHeader returns the chunk-size line for `size` bytes (`1a\r\n`); `size` must be positive. */
export function chunkHeader(size: number): Uint8Array {
  return Buffer.from(size.toString(16) + '\r\n', 'latin1');
}

/**
 * lastChunk returns the end of a chunked body (RFC 9112 §7.1): the
 * last-chunk `0\r\n`, the trailer fields of `trailer` that have values, and
 * the final CRLF. Names and values are checked as for a head; a bad one
 * throws `ERR_INVALID_HEADER`.
 */
export function lastChunk(trailer: Header | null): Uint8Array {
  const lines = trailer === null ? '' : trailer.wireLines();
  return Buffer.from('0\r\n' + lines + '\r\n', 'latin1');
}
