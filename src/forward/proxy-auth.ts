import { equalFoldASCII } from '../proxy/hop-headers.js';

/** Credentials: the user and password of a `Proxy-Authorization: Basic` line (RFC 7617). */
export interface Credentials {
  user: string;
  password: string;
}

/** PROXY_AUTHENTICATE: the challenge a 407 carries. */
export const PROXY_AUTHENTICATE = 'Basic realm="httpwire"';

/**
 * parseBasicCredentials reads `Basic <base64(user:password)>` (scheme
 * name in any case, SP or HTAB before the token) and returns null for a
 * missing value, another scheme, bad base64 or no `:` in the decoded
 * text. The text is decoded as UTF-8 (RFC 7617 §2.1's charset).
 */
export function parseBasicCredentials(value: string | null | undefined): Credentials | null {
  if (value == null || value.length < 7 || !equalFoldASCII(value.slice(0, 5), 'basic')) {
    return null;
  }
  let at = 5;
  const first = value.charCodeAt(at);
  if (first !== 0x20 && first !== 0x09) return null;
  while (value.charCodeAt(at) === 0x20 || value.charCodeAt(at) === 0x09) at++;
  let end = value.length;
  while (end > at && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0x09))
    end--;
  const token = value.slice(at, end);
  if (token === '' || !isBase64(token)) return null;
  const text = Buffer.from(token, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon === -1) return null;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** isBase64 checks the token68 of Basic: base64 chars with at most two `=` at the end. */
function isBase64(token: string): boolean {
  let padding = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c === 0x3d /* = */) {
      padding++;
      continue;
    }
    const ok =
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2b /* + */ ||
      c === 0x2f; /* / */
    if (!ok || padding > 0) return false;
  }
  return padding <= 2;
}
