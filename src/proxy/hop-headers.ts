import { ProtocolError } from '../errors.js';
import { deleteHeaderNames, type Header } from '../message/header.js';
import { isPrintableASCII, upgradeType } from '../message/protocol-switch.js';
import { forEachElement, hasToken } from '../message/token-list.js';

/**
 * HOP_HEADERS are the hop-by-hop fields a proxy removes in both directions,
 * as Go's ReverseProxy does: the RFC 2616 §13.5.1 list kept for backward
 * compatibility (RFC 9110 §7.6.1 now requires them to be named in
 * `Connection`), plus `Proxy-Connection` (sent by libcurl) and
 * `HTTP2-Settings` (RFC 7540). `Trailer`, not `Trailers` (RFC 2616 erratum 4522).
 */
export const HOP_HEADERS: readonly string[] = Object.freeze([
  'Connection',
  'Proxy-Connection',
  'Keep-Alive',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'TE',
  'Trailer',
  'Transfer-Encoding',
  'Upgrade',
  'HTTP2-Settings',
]);

/** HOP_LOWER: HOP_HEADERS in lower case, for one-pass removal. */
const HOP_LOWER: ReadonlySet<string> = new Set(HOP_HEADERS.map((name) => name.toLowerCase()));

/** Options of `removeHopByHopHeaders`. */
export interface RemoveHopByHopOptions {
  /**
   * Send `TE: trailers` after the removal (go#21096: tell the backend that
   * trailers are supported). Go asks for it when the inbound request's `TE`
   * lists `trailers` (see `acceptsTrailers`). Default false.
   */
  keepTeTrailers?: boolean;
}

/**
 * connectionOptions returns the field names listed in every `Connection`
 * line of `header` (RFC 9110 §7.6.1), in order, trimmed of optional
 * whitespace, empty elements left out (go#46313).
 */
export function connectionOptions(header: Header): string[] {
  const names: string[] = [];
  for (const value of header.values('Connection')) {
    forEachElement(value, (from, to) => {
      names.push(value.slice(from, to));
    });
  }
  return names;
}

/**
 * removeHopByHopHeaders deletes, in place, every field named in any
 * `Connection` line (all lines, names next to `close` too, any case;
 * go#16875) and then every name in `HOP_HEADERS`, as Go's
 * removeHopByHopHeaders. With `keepTeTrailers` it then sets `TE: trailers`.
 */
export function removeHopByHopHeaders(header: Header, options: RemoveHopByHopOptions = {}): void {
  const listed = connectionOptions(header);
  if (listed.length === 0) {
    deleteHeaderNames(header, HOP_LOWER); // one pass, not a scan per name
  } else {
    for (let i = 0; i < listed.length; i++) listed[i] = listed[i]!.toLowerCase();
    deleteHeaderNames(header, { has: (name) => HOP_LOWER.has(name) || listed.includes(name) });
  }
  if (options.keepTeTrailers === true) header.set('TE', 'trailers');
}

/**
 * acceptsTrailers reports whether a request's `TE` lines list `trailers`
 * (go#21096): the proxy then forwards `TE: trailers` to the backend.
 * Pass the inbound header, before hop-by-hop removal.
 */
export function acceptsTrailers(header: Header): boolean {
  return hasToken(header.values('TE'), 'trailers');
}

/**
 * requestUpgradeType is the upgrade a proxy may forward for an outbound
 * request header, checked as Go's ServeHTTP does before removing hop-by-hop
 * fields: it throws `ERR_INVALID_UPGRADE` when the protocol is not printable
 * ASCII or the request is not HTTP/1.1, and returns '' for an upgrade
 * listing `h2c` (unencrypted HTTP/2 would let later requests bypass the
 * proxy). The proxy re-adds `Connection: Upgrade` and `Upgrade: <type>`
 * after `removeHopByHopHeaders` when the result is not ''.
 */
export function requestUpgradeType(header: Header, protoMajor: number, protoMinor: number): string {
  const type = upgradeType(header);
  if (!isPrintableASCII(type)) {
    throw new ProtocolError(
      'ERR_INVALID_UPGRADE',
      `client tried to switch to invalid protocol ${JSON.stringify(type)}`,
    );
  }
  if (type === '') return '';
  if (protoMajor !== 1 || protoMinor !== 1) {
    throw new ProtocolError(
      'ERR_INVALID_UPGRADE',
      'client tried to use upgrade header on non-http/1.1 connection',
    );
  }
  return hasToken([type], 'h2c') ? '' : type;
}
