import { splitHostPort } from '../proxy/x-forwarded.js';

/** ForwardTarget: where a proxied request or tunnel goes, as `allow` sees it. */
export interface ForwardTarget {
  /** Host name (lower-cased) or IP address, IPv6 without brackets. */
  host: string;
  port: number;
  /** `CONNECT` for a tunnel, else the forwarded request's method. */
  method: string;
}

/**
 * parseAuthority reads a CONNECT request-target in authority form
 * (RFC 9112 §3.2.3: `host:port`, `[v6]:port`) and returns null for
 * anything else: no port, a port outside 1..65535 or not in plain digits,
 * an empty host, or a host with a char outside letters, digits, `-`, `.`,
 * `_`, `~` and `%` (and `:` inside brackets), so that a URL (`http://...`),
 * userinfo or a path is refused.
 */
export function parseAuthority(authority: string): { host: string; port: number } | null {
  const split = splitHostPort(authority);
  if (split === null || split.host === '') return null;
  const port = parsePort(split.port);
  if (port === 0) return null;
  const bracketed = authority.charCodeAt(0) === 0x5b; /* [ */
  const host = split.host;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (!isHostChar(c) && !(bracketed && c === 0x3a) /* : */) return null;
  }
  return { host: bracketed ? host : host.toLowerCase(), port };
}

/** parsePort reads 1..65535 in plain ASCII digits, else 0. */
export function parsePort(text: string): number {
  if (text.length === 0 || text.length > 5) return 0;
  let port = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return 0;
    port = port * 10 + (c - 0x30);
  }
  return port <= 65535 ? port : 0;
}

function isHostChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d /* - */ ||
    c === 0x2e /* . */ ||
    c === 0x5f /* _ */ ||
    c === 0x7e /* ~ */ ||
    c === 0x25 /* % */
  );
}
