import { appendTrustedLine, type Header } from '../message/header.js';

/**
 * FORWARDING_HEADERS are the client-supplied forwarding fields a proxy in
 * rewrite mode removes from the outbound request before calling `rewrite`
 * (Go's ServeHTTP), so that a client cannot spoof them.
 */
export const FORWARDING_HEADERS: readonly string[] = Object.freeze([
  'Forwarded',
  'X-Forwarded-For',
  'X-Forwarded-Host',
  'X-Forwarded-Proto',
]);

/** stripForwardingHeaders deletes every name in `FORWARDING_HEADERS` from `header`. */
export function stripForwardingHeaders(header: Header): void {
  for (const name of FORWARDING_HEADERS) header.delete(name);
}

/**
 * splitHostPort splits `host:port` or `[host]:port` as Go's
 * net.SplitHostPort, returning null where Go returns an error (no port,
 * too many colons, misplaced brackets). The port may be empty.
 */
export function splitHostPort(hostport: string): { host: string; port: string } | null {
  const colon = hostport.lastIndexOf(':');
  if (colon === -1) return null;
  let host: string;
  let start = 0;
  let end = 0;
  if (hostport.startsWith('[')) {
    end = hostport.indexOf(']');
    if (end === -1) return null;
    // The ']' must be followed by the port's ':' and nothing else.
    if (end + 1 !== colon) return null;
    host = hostport.slice(1, end);
    start = 1;
    end++;
  } else {
    host = hostport.slice(0, colon);
    if (host.indexOf(':') !== -1) return null;
  }
  if (hostport.indexOf('[', start) !== -1 || hostport.indexOf(']', end) !== -1) return null;
  return { host, port: hostport.slice(colon + 1) };
}

/**
 * appendXForwardedFor adds the client IP of `remoteAddr` (`ip:port`) to a
 * director-mode outbound header, as Go's ServeHTTP: earlier values (all
 * lines) are folded into one line joined by `, ` with the client IP last.
 * A name set to null (`header.set('X-Forwarded-For', null)`) means omit:
 * the header is left as it is (go#38079). Nothing changes when
 * `remoteAddr` has no port.
 */
export function appendXForwardedFor(header: Header, remoteAddr: string): void {
  const ip = clientIP(remoteAddr);
  if (ip === null) return;
  const prior = header.values('X-Forwarded-For');
  if (prior.length === 0) {
    // The common case: the first proxy. An IP from the socket needs no check.
    if (!header.has('X-Forwarded-For')) appendTrustedLine(header, 'X-Forwarded-For', ip);
    return;
  }
  prior.push(ip);
  header.set('X-Forwarded-For', prior.join(', '));
}

/** Client IPs by remote address (a connection's requests share one string), emptied when full. */
const clientIPs = new Map<string, string | null>();
const MAX_CLIENT_IPS = 4096;

/** clientIP is the host part of `remoteAddr` (`ip:port`), or null when it has no port. */
function clientIP(remoteAddr: string): string | null {
  let ip = clientIPs.get(remoteAddr);
  if (ip === undefined) {
    ip = splitHostPort(remoteAddr)?.host ?? null;
    if (clientIPs.size >= MAX_CLIENT_IPS) clientIPs.clear();
    clientIPs.set(remoteAddr, ip);
  }
  return ip;
}

/** The inbound side of `setXForwarded`: what the proxy received. */
export interface ForwardedFrom {
  /** The client's `ip:port`. */
  remoteAddr: string;
  /** The host the client asked for. */
  host: string;
}

/**
 * setXForwarded sets the forwarding fields of an outbound header as Go's
 * ProxyRequest.SetXForwarded: `X-Forwarded-For` becomes the values already
 * in `out` (folded with `, `) followed by the client IP, or is deleted when
 * `inbound.remoteAddr` has no port; `X-Forwarded-Host` the inbound host;
 * `X-Forwarded-Proto` `https` when `tls`, else `http`. In rewrite mode the
 * outbound forwarding fields were stripped, so a rewrite that wants the
 * client's chain copies it from the inbound request first.
 */
export function setXForwarded(inbound: ForwardedFrom, out: Header, tls: boolean): void {
  const addr = splitHostPort(inbound.remoteAddr);
  if (addr === null) {
    out.delete('X-Forwarded-For');
  } else {
    const chain = out.values('X-Forwarded-For');
    chain.push(addr.host);
    out.set('X-Forwarded-For', chain.join(', '));
  }
  out.set('X-Forwarded-Host', inbound.host);
  out.set('X-Forwarded-Proto', tls ? 'https' : 'http');
}
