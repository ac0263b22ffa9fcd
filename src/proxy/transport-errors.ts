import { ProtocolError } from '../errors.js';

/** transportError makes a ProtocolError with `code` and, when given, the underlying `cause`. */
export function transportError(code: string, message: string, cause?: unknown): ProtocolError {
  const err = new ProtocolError(code, message);
  if (cause !== undefined) err.cause = cause;
  return err;
}

/** abortError is the ERR_ABORTED error for `signal`; its `cause` is `signal.reason`. */
export function abortError(signal: AbortSignal): ProtocolError {
  return transportError('ERR_ABORTED', 'request aborted', signal.reason);
}

/** transportClosed is the ERR_TRANSPORT_CLOSED error of a round trip refused or cut short by `Transport.close()`. */
export function transportClosed(): ProtocolError {
  return transportError('ERR_TRANSPORT_CLOSED', 'transport closed');
}
