import { ProtocolError } from '../errors.js';
import { FIELD_VALUE, TOKEN, URL_CHAR } from '../parser/charsets.js';

/**
 * Checks for what we put on the wire, against the same tables our parser
 * reads with, so that whatever we write our strict parser accepts.
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
