/**
 * The header and trailer line states (llhttp's `header_field*` and
 * `header_value*` nodes), byte by byte across chunk boundaries, and the
 * per-line semantics the fast head path (fast-head.ts) shares: field
 * complete, value start, value end with the framing header replay, value
 * complete.
 */
import { FIELD_VALUE, TOKEN } from './charsets.js';
import { Byte, type Bytes } from './bytes.js';
import { endOfHead } from './body-framing.js';
import { ERROR, FLAGS, LENIENT_FLAGS } from './constants.js';
import {
  connectionFlag,
  HEADER_STATE as HS,
  replayConnection,
  replayContentLength,
  replayTransferEncoding,
  specialHeaderState,
} from './field-semantics.js';
import { EMPTY_HEADERS, type ParserState, S } from './parser-state.js';
import type { HeaderPair } from './types.js';

/**
 * #headerLine runs the header and trailer states. Returns the new index,
 * or its bitwise complement when a callback paused.
 */
export function headerLine(p: ParserState, data: Bytes, i: number, end: number): number {
  const c = data[i]!;
  switch (p.state) {
    case S.HEADERS_START:
      p.state = S.HEADER_FIELD_START;
      if (c !== Byte.SP) return i;
      if (!p.hasLenient(LENIENT_FLAGS.HEADERS)) {
        p.fail(ERROR.UNEXPECTED_SPACE, 'Unexpected space after start line', i + 1);
      }
      return i + 1;
    case S.HEADER_FIELD_START:
      if (c === Byte.CR) {
        p.state = S.HEADERS_ALMOST_DONE;
        return i + 1;
      }
      if (c === Byte.LF) {
        if (!p.hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
          p.fail(ERROR.INVALID_HEADER_TOKEN, 'Invalid header field char', i + 1);
        }
        return endOfHead(p, i + 1);
      }
      if (c === Byte.COLON) p.fail(ERROR.INVALID_HEADER_TOKEN, 'Invalid header token', i);
      p.spanStart = i;
      p.fieldGeneral = false;
      p.state = S.HEADER_FIELD;
      return i;
    case S.HEADER_FIELD: {
      while (i < end && TOKEN[data[i]!] === 1) i++;
      if (i >= end) return i;
      const b = data[i]!;
      if (b === Byte.COLON) {
        const name = p.endSpan(data, i);
        fieldComplete(p, name, p.fieldGeneral ? HS.GENERAL : specialHeaderState(name), i);
        return i + 1;
      }
      if (b === Byte.SP && !p.fieldGeneral) {
        const soFar = p.spanText + data.latin1Slice(p.spanStart, i);
        const special = specialHeaderState(soFar);
        if (special !== HS.GENERAL) {
          if (!p.hasLenient(LENIENT_FLAGS.HEADERS)) {
            p.fail(ERROR.INVALID_HEADER_TOKEN, 'Invalid header field char', i + 1);
          }
          p.pendingHeaderState = special;
          p.state = S.HEADER_FIELD_COLON_DISCARD_WS;
          return i + 1;
        }
      }
      return p.fail(ERROR.INVALID_HEADER_TOKEN, 'Invalid header token', i);
    }
    case S.HEADER_FIELD_COLON_DISCARD_WS:
      if (c === Byte.SP) return i + 1;
      if (c === Byte.COLON) {
        fieldComplete(p, p.endSpan(data, i), p.pendingHeaderState, i);
        return i + 1;
      }
      p.fieldGeneral = true;
      p.state = S.HEADER_FIELD;
      return i;
    case S.HEADER_VALUE_DISCARD_WS:
      if (c === Byte.SP || c === Byte.HTAB) return i + 1;
      if (c === Byte.CR) {
        p.state = S.HEADER_VALUE_DISCARD_WS_ALMOST_DONE;
        return i + 1;
      }
      if (c === Byte.LF) {
        if (!p.hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
          p.fail(ERROR.INVALID_HEADER_TOKEN, 'Invalid header value char', i + 1);
        }
        p.state = S.HEADER_VALUE_DISCARD_LWS;
        return i + 1;
      }
      valueStartAt(p, i);
      return i;
    case S.HEADER_VALUE_DISCARD_WS_ALMOST_DONE:
      p.state = S.HEADER_VALUE_DISCARD_LWS;
      if (c === Byte.LF) return i + 1;
      if (p.hasLenient(LENIENT_FLAGS.HEADERS)) return i;
      return p.fail(ERROR.STRICT, 'Expected LF after CR', i);
    case S.HEADER_VALUE_DISCARD_LWS:
      if (c === Byte.SP || c === Byte.HTAB) {
        if (!p.hasLenient(LENIENT_FLAGS.HEADERS)) {
          p.fail(ERROR.INVALID_HEADER_TOKEN, 'Invalid header value char', i + 1);
        }
        p.state = S.HEADER_VALUE_DISCARD_WS;
        return i + 1;
      }
      if (p.headerState === HS.CONTENT_LENGTH) {
        p.fail(ERROR.INVALID_CONTENT_LENGTH, 'Empty Content-Length', i);
      }
      valueComplete(p);
      return i;
    case S.HEADER_VALUE: {
      if (p.hasLenient(LENIENT_FLAGS.HEADERS)) {
        while (i < end && data[i] !== Byte.CR && data[i] !== Byte.LF) i++;
      } else {
        while (i < end && FIELD_VALUE[data[i]!] === 1) i++;
      }
      if (i >= end) {
        if (p.headerState !== HS.GENERAL) checkPartialValue(p, data, i);
        return i;
      }
      return valueEnd(p, data, i);
    }
    case S.HEADER_VALUE_ALMOST_DONE:
      if (c !== Byte.LF) p.fail(ERROR.LF_EXPECTED, 'Missing expected LF after header value', i);
      p.state = S.HEADER_VALUE_LWS;
      return i + 1;
    case S.HEADER_VALUE_LWS:
      if (c === Byte.SP || c === Byte.HTAB) {
        if (!p.hasLenient(LENIENT_FLAGS.HEADERS)) {
          p.fail(ERROR.INVALID_HEADER_TOKEN, 'Unexpected whitespace after header value', i);
        }
        if (p.headerState === HS.TRANSFER_ENCODING_CHUNKED) p.headerState = HS.GENERAL;
        valueStartAt(p, i);
        return i;
      }
      valueComplete(p);
      return i;
    default: // S.HEADERS_ALMOST_DONE
      if (c === Byte.LF) return endOfHead(p, i + 1);
      if (p.hasLenient(LENIENT_FLAGS.OPTIONAL_LF_AFTER_CR)) return endOfHead(p, i);
      return p.fail(ERROR.STRICT, 'Expected LF after headers', i);
  }
}

/** fieldComplete: llhttp's on_header_field_complete with the TE/CL conflict checks. */
export function fieldComplete(p: ParserState, name: string, headerState: number, i: number): void {
  const flags = p.flags;
  if (!p.hasLenient(LENIENT_FLAGS.CHUNKED_LENGTH)) {
    if (headerState === HS.TRANSFER_ENCODING && (flags & FLAGS.CONTENT_LENGTH) !== 0) {
      // RFC 9112 §6.3: Transfer-Encoding with Content-Length may be smuggling
      p.fail(
        ERROR.INVALID_TRANSFER_ENCODING,
        "Transfer-Encoding can't be present with Content-Length",
        i + 1,
      );
    }
    if (headerState === HS.CONTENT_LENGTH && (flags & FLAGS.TRANSFER_ENCODING) !== 0) {
      p.fail(
        ERROR.INVALID_CONTENT_LENGTH,
        "Content-Length can't be present with Transfer-Encoding",
        i + 1,
      );
    }
  }
  p.field = name;
  p.headerState = headerState;
  p.value = '';
  p.state = S.HEADER_VALUE_DISCARD_WS;
}

/** valueStartAt: llhttp's header_value_start at the first byte of a value segment. */
export function valueStartAt(p: ParserState, i: number): void {
  switch (p.headerState) {
    case HS.UPGRADE:
      p.flags |= FLAGS.UPGRADE;
      p.headerState = HS.GENERAL;
      break;
    case HS.TRANSFER_ENCODING:
      if (
        (p.flags & FLAGS.CHUNKED) !== 0 &&
        p.isRequest &&
        !p.hasLenient(LENIENT_FLAGS.TRANSFER_ENCODING)
      ) {
        // RFC 9112 §6.1: nothing may follow chunked in a request
        p.fail(ERROR.INVALID_TRANSFER_ENCODING, 'Invalid `Transfer-Encoding` header value', i + 1);
      }
      p.flags = (p.flags | FLAGS.TRANSFER_ENCODING) & ~FLAGS.CHUNKED;
      break;
    case HS.CONTENT_LENGTH:
      if ((p.flags & FLAGS.CONTENT_LENGTH) !== 0) {
        // RFC 9112 §6.3: a repeated Content-Length is a framing attack vector
        p.fail(ERROR.UNEXPECTED_CONTENT_LENGTH, 'Duplicate Content-Length', i);
      }
      break;
  }
  p.valueStart = p.base + i;
  p.spanStart = i;
  p.state = S.HEADER_VALUE;
}

/** valueEnd handles the byte ending a value segment: CR, LF or an invalid byte. */
function valueEnd(p: ParserState, data: Bytes, i: number): number {
  const term = data[i]!;
  return valueSegmentEnd(p, p.endSpan(data, i), term, i);
}

/**
 * checkPartialValue: llhttp reads a framing header's value byte by byte and
 * fails at the first bad byte, before the line ends. When a chunk ends
 * inside such a value, replay what has come so far as if it ended here; an
 * error found is one the bytes seen already decide.
 */
function checkPartialValue(p: ParserState, data: Bytes, i: number): void {
  const out = p.outcome;
  out.error = ERROR.OK;
  const partial = p.spanText + data.latin1Slice(p.spanStart, i);
  switch (p.headerState) {
    case HS.CONTENT_LENGTH:
      replayContentLength(partial, Byte.CR, out);
      break;
    case HS.TRANSFER_ENCODING:
      replayTransferEncoding(partial, Byte.CR, p.isRequest, p.lenient, out);
      break;
  }
  if (out.error !== ERROR.OK) p.fail(out.error, out.reason, p.valueStart - p.base + out.at);
}

/**
 * valueSegmentEnd ends a value segment (text since the value start) at the
 * byte `term` at index `i`: replays the framing header sub-machines over it,
 * then expects CR (or LF when lenient). Returns the index to go on from.
 */
export function valueSegmentEnd(p: ParserState, segment: string, term: number, i: number): number {
  const out = p.outcome;
  out.error = ERROR.OK;
  switch (p.headerState) {
    case HS.CONTENT_LENGTH:
      replayContentLength(segment, term, out);
      if (out.error === ERROR.OK) {
        p.flags |= FLAGS.CONTENT_LENGTH;
        p.contentLength = out.contentLength;
      }
      break;
    case HS.TRANSFER_ENCODING:
      replayTransferEncoding(segment, term, p.isRequest, p.lenient, out);
      p.headerState = out.headerState;
      break;
    case HS.CONNECTION:
      p.flags |= replayConnection(segment, p.headerState, out);
      p.headerState = out.headerState;
      break;
  }
  if (out.error !== ERROR.OK) {
    p.fail(out.error, out.reason, p.valueStart - p.base + out.at);
  }
  p.value = p.value === '' ? segment : p.value + segment;
  if (term === Byte.CR) {
    p.state = S.HEADER_VALUE_ALMOST_DONE;
    return i + 1;
  }
  if (term === Byte.LF) {
    if (!p.hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
      p.fail(ERROR.CR_EXPECTED, 'Missing expected CR after header value', i);
    }
    p.state = S.HEADER_VALUE_ALMOST_DONE;
    return i;
  }
  return p.fail(ERROR.INVALID_HEADER_TOKEN, 'Invalid header value char', i);
}

/** valueComplete: llhttp's setHeaderFlags + on_header_value_complete; stores the line. */
export function valueComplete(p: ParserState): void {
  p.flags |= connectionFlag(p.headerState);
  const pair: HeaderPair = [p.field, trimEnd(p.value)];
  if ((p.flags & FLAGS.TRAILING) !== 0) {
    if (p.trailers === EMPTY_HEADERS) p.trailers = [];
    p.trailers.push(pair);
  } else {
    p.headers.push(pair);
  }
  p.value = '';
  p.state = S.HEADER_FIELD_START;
}

/** trimEnd drops trailing SP and HTAB (and only those, unlike String#trimEnd). */
export function trimEnd(value: string): string {
  let e = value.length;
  while (e > 0) {
    const c = value.charCodeAt(e - 1);
    if (c !== Byte.SP && c !== Byte.HTAB) break;
    e--;
  }
  return e === value.length ? value : value.slice(0, e);
}
