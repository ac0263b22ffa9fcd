import { TLS_HANDSHAKE } from './client-hello.js';

/** TunnelKind: what the first bytes of a tunnel look like. */
export type TunnelKind = 'tls' | 'http' | 'other';

/** The longest method name `sniffKind` waits for before calling a tunnel 'other'. */
const MAX_METHOD = 24;

/**
 * sniffKind classifies the first bytes a client sent into a tunnel, as
 * martian peeks at them: a TLS handshake record (0x16 0x03) is 'tls'; an
 * upper-case method token (letters and `-`) followed by SP is 'http';
 * anything else is 'other'. It returns null when the bytes so far could
 * still be either (fewer than 2 bytes of TLS, a method not yet followed by SP).
 */
export function sniffKind(head: Uint8Array): TunnelKind | null {
  if (head.length === 0) return null;
  if (head[0] === TLS_HANDSHAKE) {
    if (head.length < 2) return null;
    return head[1] === 0x03 ? 'tls' : 'other';
  }
  const n = Math.min(head.length, MAX_METHOD + 1);
  for (let i = 0; i < n; i++) {
    const c = head[i]!;
    if (c === 0x20) return i > 0 ? 'http' : 'other';
    if (!((c >= 0x41 && c <= 0x5a) || c === 0x2d)) return 'other';
  }
  return head.length > MAX_METHOD ? 'other' : null;
}
