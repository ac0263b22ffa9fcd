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
