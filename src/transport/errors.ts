/**
 * The Transport's errors.
 *
 * Errors a round trip rejects with (ProtocolError codes, see docs/errors.md):
 * - `ERR_TRANSPORT_CLOSED` — `roundTrip` after `close()`, or while waiting
 *   for a connection slot when `close()` was called.
 * - `ERR_UNSUPPORTED_SCHEME` — the URL's scheme is not http or https.
 * - `ERR_INVALID_URL` — the URL has no host or a bad port.
 * - `ERR_DIAL` — connecting failed; `cause` is the system error (ECONNREFUSED, ...).
 * - `ERR_DIAL_TIMEOUT` — connecting (with the TLS handshake) took longer than `dialTimeout`.
 * - `ERR_RESPONSE_HEADER_TIMEOUT` — no response head within
 *   `responseHeaderTimeout` of the request being written.
 * - `ERR_ABORTED` — the `signal` aborted the round trip or, later, the
 *   response body; `cause` is `signal.reason`.
 * - `ERR_SERVER_CLOSED_IDLE` — a reused keep-alive connection was closed
 *   by the server before any response byte, and the request could not be
 *   retried (Go's errServerClosedIdle).
 * - `ERR_NO_RESPONSE` — a new connection was closed before any response byte.
 * - `ERR_UNEXPECTED_SWITCH` — a 101 Switching Protocols that is no switch
 *   the request asked for: the request had no `Connection: upgrade` with an
 *   `Upgrade` (or was a CONNECT), or the 101 lacks them or names another
 *   protocol. The connection is closed (see `protocolSwitchError`).
 * - `ERR_NOT_UPGRADED` — `hijack(res)` for a response that did not switch
 *   protocols, or whose socket was already taken.
 * - `ERR_PROXY_AUTH_REQUIRED`, `ERR_PROXY_CONNECT` — the `proxy` answered
 *   a CONNECT with 407 or another non-2xx (a ProxyConnectError with `status`).
 * Anything else comes through as it is: a `ParseError` for a malformed
 * response, the socket's system error (ECONNRESET, EPIPE), the request
 * body's own error, an invalid request's `ProtocolError`.
 * `wireFacts(err)` tells for each of them whether a byte of the request was
 * written and whether a byte of the response arrived.
 */
import { ProtocolError } from '../errors.js';
import type { AbortWatch } from '../message/abort-watch.js';

/** transportError makes a ProtocolError with `code` and, when given, the underlying `cause`. */
export function transportError(code: string, message: string, cause?: unknown): ProtocolError {
  const err = new ProtocolError(code, message);
  if (cause !== undefined) err.cause = cause;
  return err;
}

/** abortError is the ERR_ABORTED error of an abort; its `cause` is the abort's reason. */
export function abortError(abort: AbortWatch): ProtocolError {
  return transportError('ERR_ABORTED', 'request aborted', abort.reason);
}

/** transportClosed is the ERR_TRANSPORT_CLOSED error of a round trip refused or cut short by `Transport.close()`. */
export function transportClosed(): ProtocolError {
  return transportError('ERR_TRANSPORT_CLOSED', 'transport closed');
}
