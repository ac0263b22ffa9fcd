/**
 * WireFacts: what a failed round trip did on the wire, which is what
 * decides whether another attempt may be made elsewhere.
 */
export interface WireFacts {
  /**
   * requestWritten: a byte of the request went to the socket (it may have
   * reached the server). False for a failed dial, and for a connection
   * that failed before the request's first byte was handed to it.
   */
  readonly requestWritten: boolean;
  /** responseStarted: a byte of the response arrived before the failure. */
  readonly responseStarted: boolean;
}

/** Facts of the errors a Transport rejected with; weak, so errors are not kept alive. */
const facts = new WeakMap<object, WireFacts>();

const NOT_WRITTEN: WireFacts = Object.freeze({ requestWritten: false, responseStarted: false });

/**
 * wireFacts returns what the failed round trip that rejected with `err`
 * did on the wire, for errors of our `Transport.roundTrip` (every kind: its
 * own codes, system errors, parse errors), or null for any other error and
 * for the shared sentinels (`ErrPersistEOF`, ...), which carry no facts.
 */
export function wireFacts(err: unknown): WireFacts | null {
  return typeof err === 'object' && err !== null ? (facts.get(err) ?? null) : null;
}

/** noteWireFacts records `value` for `err` and returns `err`; frozen sentinels are left alone. */
export function noteWireFacts(err: unknown, value: WireFacts): unknown {
  if (typeof err === 'object' && err !== null && !Object.isFrozen(err)) facts.set(err, value);
  return err;
}

/** notWritten records that `err` stopped a round trip before any byte was written. */
export function notWritten(err: unknown): unknown {
  return noteWireFacts(err, NOT_WRITTEN);
}
