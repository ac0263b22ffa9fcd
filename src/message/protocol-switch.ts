/**
 * When a 101 Switching Protocols really switches (RFC 9110 §7.8, §15.2.2).
 * After a switch the connection carries another protocol, so a proxy splices
 * the client's socket to the backend's: a 101 the client never asked for
 * would let the client's next bytes reach the backend without passing the
 * proxy (websocket/h2c smuggling, docs/security.md).
 */
import { ProtocolError } from '../errors.js';
import { equalFoldASCII } from '../parser/ascii-case.js';
import type { Header } from './header.js';
import type { Request } from './request.js';
import type { Response } from './response.js';
import { hasToken } from './token-list.js';

/**
 * upgradeType returns the first `Upgrade` value when a `Connection` line
 * lists `upgrade`, else '' (Go's upgradeType; the value keeps its case).
 */
export function upgradeType(header: Header): string {
  if (!hasToken(header.values('Connection'), 'upgrade')) return '';
  return header.get('Upgrade') ?? '';
}

/** isPrintableASCII reports whether every char of `s` is in SP..`~` (Go's ascii.IsPrint). */
export function isPrintableASCII(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/**
 * protocolSwitchError returns null when `res`, a 101 to `req`, switches
 * protocols as `req` asked, else the `ERR_UNEXPECTED_SWITCH` error saying
 * why. A switch needs a request other than CONNECT (whose tunnel starts
 * with a 2xx) carrying `Connection: upgrade` and a non-empty `Upgrade`, and
 * a 101 carrying `Connection: upgrade` and an `Upgrade` of printable ASCII
 * equal to the requested one, ignoring ASCII case (Go's
 * isProtocolSwitchResponse and the type check of ReverseProxy's
 * handleUpgradeResponse; the values are compared whole, as Go does).
 */
export function protocolSwitchError(req: Request, res: Response): ProtocolError | null {
  const asked = req.method === 'CONNECT' ? '' : upgradeType(req.header);
  const got = upgradeType(res.header);
  let why: string;
  if (asked === '') {
    why = `backend switched protocols (to ${JSON.stringify(got)}) when no upgrade was requested`;
  } else if (got === '') {
    why = `backend answered 101 without Connection: upgrade and an Upgrade protocol`;
  } else if (!isPrintableASCII(got)) {
    why = `backend tried to switch to invalid protocol ${JSON.stringify(got)}`;
  } else if (!equalFoldASCII(asked, got)) {
    why = `backend tried to switch protocol ${JSON.stringify(got)} when ${JSON.stringify(asked)} was requested`;
  } else {
    return null;
  }
  return new ProtocolError('ERR_UNEXPECTED_SWITCH', why);
}
