import { ProtocolError } from '../errors.js';
import { equalFoldASCII } from '../parser/ascii-case.js';
import { URL_SERVER } from '../parser/charsets.js';
import type { HeaderPair } from '../parser/types.js';
import { FORBIDDEN_TRAILERS, isToken } from './field-syntax.js';
import { Header } from './header.js';
import { forEachElement } from './token-list.js';

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

/**
 * requestHost returns the value of the Host line among a request's parsed
 * pairs, or null when it has none. RFC 9112 §3.2 makes a second Host line
 * (even an equal one) and a value that is not `uri-host [ ":" port ]` bad
 * requests: they throw `ERR_DUPLICATE_HOST` and `ERR_INVALID_HOST`. A value
 * is checked as Go's httpguts.ValidHostHeader does, byte by byte against
 * the authority bytes of URL_SERVER; an empty value is valid.
 */
export function requestHost(pairs: readonly HeaderPair[]): string | null {
  let host: string | null = null;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    if (!equalFoldASCII(pair[0], 'host')) continue;
    if (host !== null) throw new ProtocolError('ERR_DUPLICATE_HOST', 'too many host headers');
    host = pair[1];
  }
  if (host !== null && !isHostValue(host)) {
    throw new ProtocolError('ERR_INVALID_HOST', 'malformed host header');
  }
  return host;
}

/**
 * checkTransferEncoding throws `ERR_UNSUPPORTED_TRANSFER_ENCODING` unless
 * the parsed pairs hold no Transfer-Encoding line or exactly one whose
 * value is `chunked` (any case), as Go's parseTransferEncoding (and nginx):
 * llhttp reads `gzip, chunked` as chunked, and forwarding that body
 * de-chunked would hand the next hop coded bytes with nothing saying so.
 */
export function checkTransferEncoding(pairs: readonly HeaderPair[]): void {
  let seen = false;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    if (!equalFoldASCII(pair[0], 'transfer-encoding')) continue;
    if (seen) {
      throw new ProtocolError('ERR_UNSUPPORTED_TRANSFER_ENCODING', 'too many transfer encodings');
    }
    if (!equalFoldASCII(pair[1], 'chunked')) {
      throw new ProtocolError(
        'ERR_UNSUPPORTED_TRANSFER_ENCODING',
        `unsupported transfer encoding ${JSON.stringify(pair[1])}`,
      );
    }
    seen = true;
  }
}

/** isHostValue reports whether every char of `s` is a URL_SERVER byte (Go's validHostByte). */
function isHostValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || URL_SERVER[c] === 0) return false;
  }
  return true;
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
    if (!equalFoldASCII(field, 'trailer')) continue;
    forEachElement(value, (from, to) => {
      const name = value.slice(from, to);
      if (isToken(name) && !FORBIDDEN_TRAILERS.has(name.toLowerCase()) && !into.has(name)) {
        into.set(name, null);
      }
    });
  }
  return into;
}
