/**
 * The meaning llhttp gives to the values of its framing headers
 * (Content-Length, Transfer-Encoding, Connection, Upgrade). The parser scans
 * a header value with one fast table loop; for these headers it then replays
 * llhttp's per-header sub-machine over the value once, so the first error is
 * the one llhttp would report, at the same byte.
 */
import { equalFoldASCII } from './ascii-case.js';
import { CONNECTION_TOKEN } from './charsets.js';
import { ERROR, FLAGS, LENIENT_FLAGS } from './constants.js';

/** HEADER_STATE: llhttp's `header_state` values. */
export const HEADER_STATE = {
  GENERAL: 0,
  CONNECTION: 1,
  CONTENT_LENGTH: 2,
  TRANSFER_ENCODING: 3,
  UPGRADE: 4,
  CONNECTION_KEEP_ALIVE: 5,
  CONNECTION_CLOSE: 6,
  CONNECTION_UPGRADE: 7,
  TRANSFER_ENCODING_CHUNKED: 8,
} as const;

const HS = HEADER_STATE;
const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;
const COMMA = 44;

/** specialHeaderState: llhttp's `header_state` for a header name (its SPECIAL_HEADERS). */
export function specialHeaderState(name: string): number {
  switch (name.length) {
    case 7:
      return equalFoldASCII(name, 'upgrade') ? HS.UPGRADE : HS.GENERAL;
    case 10:
      return equalFoldASCII(name, 'connection') ? HS.CONNECTION : HS.GENERAL;
    case 14:
      return equalFoldASCII(name, 'content-length') ? HS.CONTENT_LENGTH : HS.GENERAL;
    case 16:
      return equalFoldASCII(name, 'proxy-connection') ? HS.CONNECTION : HS.GENERAL;
    case 17:
      return equalFoldASCII(name, 'transfer-encoding') ? HS.TRANSFER_ENCODING : HS.GENERAL;
    default:
      return HS.GENERAL;
  }
}

/** ValueOutcome: what replaying a framing header's value found. Reused, owned by one parser. */
export class ValueOutcome {
  /** An ERROR number, or ERROR.OK. */
  error: number = ERROR.OK;
  reason = '';
  /** Index in the value of the offending byte (the value's length means the terminator). */
  at = 0;
  /** header_state after the value, for the flags set when the value completes. */
  headerState: number = HS.GENERAL;
  /** The Content-Length value (a Number: exact up to 2^53, only compared with 0 beyond). */
  contentLength = 0;

  fail(error: number, reason: string, at: number): void {
    this.error = error;
    this.reason = reason;
    this.at = at;
  }
}

const U64_MAX = 18446744073709551615n;

/**
 * replayContentLength: llhttp's `header_value_content_length` on `value`
 * followed by the terminating byte `term` (CR, LF or an invalid byte).
 * On success sets `out.contentLength`; the caller sets F_CONTENT_LENGTH.
 */
export function replayContentLength(value: string, term: number, out: ValueOutcome): void {
  let n = 0;
  let significant = 0;
  let i = 0;
  for (; i < value.length; i++) {
    const d = value.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
    if (n > 0) significant++;
    if (significant > 20 || (significant === 20 && BigInt(value.slice(i - 19, i + 1)) > U64_MAX)) {
      out.fail(ERROR.INVALID_CONTENT_LENGTH, 'Content-Length overflow', i + 1);
      return;
    }
  }
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c !== SP) {
      out.fail(ERROR.INVALID_CONTENT_LENGTH, 'Invalid character in Content-Length', i);
      return;
    }
  }
  if (term !== CR && term !== LF) {
    out.fail(ERROR.INVALID_CONTENT_LENGTH, 'Invalid character in Content-Length', i);
    return;
  }
  out.contentLength = n;
}

const CHUNKED = 'chunked';

/**
 * replayTransferEncoding: llhttp's `header_value_te_*` nodes. Leaves
 * `out.headerState` at TRANSFER_ENCODING_CHUNKED when `chunked` is the last
 * coding. In a request, a coding after `chunked` is an error unless lenient.
 */
export function replayTransferEncoding(
  value: string,
  term: number,
  isRequest: boolean,
  lenient: number,
  out: ValueOutcome,
): void {
  const forbidAfterChunked = isRequest && (lenient & LENIENT_FLAGS.TRANSFER_ENCODING) === 0;
  const len = value.length;
  let i = 0;
  // Each pass of this loop is llhttp's `header_value_te_chunked` at `i`.
  for (;;) {
    let k = 0;
    while (
      k < CHUNKED.length &&
      i + k < len &&
      (value.charCodeAt(i + k) | 0x20) === CHUNKED.charCodeAt(k)
    )
      k++;
    let c: number;
    if (k === CHUNKED.length) {
      i += k;
      while (i < len && value.charCodeAt(i) === SP) i++;
      c = i < len ? value.charCodeAt(i) : term;
      if (c === CR || c === LF) {
        out.headerState = HS.TRANSFER_ENCODING_CHUNKED;
        return;
      }
      if (c === COMMA) {
        if (forbidAfterChunked) {
          out.fail(
            ERROR.INVALID_TRANSFER_ENCODING,
            'Invalid `Transfer-Encoding` header value',
            i + 1,
          );
          return;
        }
        // `header_value_te_chunked` sees the comma: not "chunked", so a token.
      }
    } else {
      i += k;
    }
    // header_value_te_token
    for (;;) {
      c = i < len ? value.charCodeAt(i) : term;
      if (c === COMMA) break;
      if (CONNECTION_TOKEN[c] !== 1) {
        out.headerState = HS.GENERAL; // fallback: the plain header_value scan decides
        return;
      }
      i++;
    }
    i++;
    // header_value_te_token_ows
    while (i < len && (value.charCodeAt(i) === SP || value.charCodeAt(i) === HTAB)) i++;
  }
}

const CONNECTION_WORDS = ['close', 'upgrade', 'keep-alive'];
const CONNECTION_STATES = [HS.CONNECTION_CLOSE, HS.CONNECTION_UPGRADE, HS.CONNECTION_KEEP_ALIVE];

/** connectionFlag: the flag a completed Connection word state sets (llhttp's setHeaderFlags). */
export function connectionFlag(headerState: number): number {
  switch (headerState) {
    case HS.CONNECTION_KEEP_ALIVE:
      return FLAGS.CONNECTION_KEEP_ALIVE;
    case HS.CONNECTION_CLOSE:
      return FLAGS.CONNECTION_CLOSE;
    case HS.CONNECTION_UPGRADE:
      return FLAGS.CONNECTION_UPGRADE;
    case HS.TRANSFER_ENCODING_CHUNKED:
      return FLAGS.CHUNKED;
    default:
      return 0;
  }
}

/**
 * replayConnection: llhttp's `header_value_connection*` nodes. Returns the
 * flags set at each comma; the state at the end is left in `out.headerState`
 * (its flag is set when the value completes).
 */
export function replayConnection(value: string, headerState: number, out: ValueOutcome): number {
  let flags = 0;
  let state = headerState;
  const len = value.length;
  let i = 0;
  // Each pass is `header_value_connection` at `i`.
  outer: for (;;) {
    while (i < len && (value.charCodeAt(i) === SP || value.charCodeAt(i) === HTAB)) i++;
    let matched = -1;
    let consumed = 0;
    for (let w = 0; w < CONNECTION_WORDS.length && matched < 0; w++) {
      const word = CONNECTION_WORDS[w]!;
      let k = 0;
      while (
        k < word.length &&
        i + k < len &&
        lower(value.charCodeAt(i + k)) === word.charCodeAt(k)
      )
        k++;
      if (k === word.length) matched = w;
      else if (k > consumed) consumed = k;
    }
    if (matched >= 0) {
      state = CONNECTION_STATES[matched]!;
      i += CONNECTION_WORDS[matched]!.length;
      // header_value_connection_ws
      for (;;) {
        if (i >= len) break outer;
        const c = value.charCodeAt(i);
        if (c === COMMA) {
          flags |= connectionFlag(state);
          state = HS.CONNECTION;
          i++;
          continue outer;
        }
        // llhttp's header_value_connection_ws skips SP only: `close\t` is not `close`
        if (c !== SP) {
          state = HS.GENERAL;
          break;
        }
        i++;
      }
    } else {
      i += consumed;
    }
    // header_value_connection_token
    for (;;) {
      if (i >= len) break outer;
      const c = value.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue outer;
      }
      if (CONNECTION_TOKEN[c] !== 1) break outer;
      i++;
    }
  }
  out.headerState = state;
  return flags;
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}
