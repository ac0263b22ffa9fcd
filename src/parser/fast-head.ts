/**
 * The fast path for a head that arrives whole in one chunk, in strict mode.
 * The chunk is decoded to latin1 once (a window of it, `ParserState.text`)
 * and every method, target, status text, header name and value is a
 * `String#slice` of that text; the start line and each header line are
 * checked in one tight loop each instead of a state per byte.
 *
 * It only accepts what the state machine accepts with the same result:
 * `HTTP/1.0` or `HTTP/1.1`, an HTTP method other than CONNECT and PRI, an
 * origin-, absolute- or asterisk-form target, and header lines
 * `token ":" OWS field-value CRLF` not followed by SP or HTAB. Framing
 * headers go through the same functions as in header-line.ts, in the same
 * order, so their errors are the state machine's. On anything else (a
 * line cut by the end of the chunk or by maxHeaderBytes included) it stops
 * at the start of that line, before any side effect of it, and the state
 * machine takes over there and finds the exact error or the rest.
 */
import { ALPHA, FIELD_VALUE, METHOD_CHAR, TOKEN, URL_CHAR, URL_SERVER } from './charsets.js';
import { Byte, type Bytes } from './bytes.js';
import { endOfHead } from './body-framing.js';
import { internedName } from './common-names.js';
import { HEADER_STATE as HS, specialHeaderState } from './field-semantics.js';
import { fieldComplete, valueComplete, valueSegmentEnd, valueStartAt } from './header-line.js';
import { HTTP_METHODS, METHOD_NUMBERS, METHODS } from './methods.js';
import { type ParserState, S } from './parser-state.js';

/**
 * Bytes decoded at a time: twice the last head, at least WINDOW, so that
 * pipelined heads share one decode and a body after a head is not decoded
 * much; a line crossing the window's end is decoded again, twice as far.
 */
const WINDOW = 512;
/** The largest window decoded at once. */
const MAX_WINDOW = 65536;
/** A line is not valid for the fast path: the state machine reads it. */
const FALLBACK = -1;
/** A line reaches the end of the decoded window (or of the chunk, or of the head limit). */
const STALL = -2;

/** FAST_METHODS: the methods the fast path takes, name → llhttp's number. */
const FAST_METHODS: ReadonlyMap<string, number> = new Map(
  [...METHOD_NUMBERS].filter(
    ([name, n]) => HTTP_METHODS.has(name) && n !== METHODS.CONNECT && n !== METHODS.PRI,
  ),
);

/**
 * fastHead parses as much of the head beginning at `start` (after
 * onMessageBegin, strict mode) as it can. Returns the index after the head,
 * with onHeadersComplete called; or the start of the first line it left to
 * the state machine, in the state that line begins in; or the complement of
 * the index after the head when onHeadersComplete paused.
 */
export function fastHead(p: ParserState, data: Bytes, start: number): number {
  const limit = Math.min(data.length, p.headLimit - p.base);
  if (p.text === '' || start < p.textStart || start >= p.textEnd) {
    decode(p, data, start, nextWindow(p, start));
  }
  let j: number;
  for (;;) {
    const we = Math.min(p.textEnd, limit);
    j = p.isRequest ? requestLine(p, data, start, we) : statusLine(p, data, start, we);
    if (j >= 0) break;
    if (j === STALL && p.textEnd < limit) {
      decode(p, data, start, grow(p, start));
      continue;
    }
    return start;
  }
  p.spanStart = -1;
  p.state = S.HEADERS_START;
  for (;;) {
    const we = Math.min(p.textEnd, limit);
    let next = STALL;
    if (j + 1 < we) {
      if (data[j] === Byte.CR) {
        if (data[j + 1] !== Byte.LF) return j;
        p.lastHeadBytes = j + 2 - start;
        return endOfHead(p, j + 2);
      }
      next = fieldLine(p, data, j, we);
    }
    if (next >= 0) {
      j = next;
      p.state = S.HEADER_FIELD_START;
    } else if (next === STALL && p.textEnd < limit) {
      decode(p, data, j, grow(p, j));
    } else {
      return j;
    }
  }
}

/** decode makes `p.text` the chunk's bytes from `from`, `size` of them or up to its end. */
function decode(p: ParserState, data: Bytes, from: number, size: number): void {
  const to = Math.min(data.length, from + size);
  p.text = data.latin1Slice(from, to);
  p.textStart = from;
  p.textEnd = to;
}

/**
 * nextWindow: the size of a new window at `start`. Heads that follow one
 * another with little between them (pipelined requests without bodies)
 * double the window each time, up to MAX_WINDOW, so a burst is decoded in
 * a few calls; after a body it starts again from twice the last head.
 */
function nextWindow(p: ParserState, start: number): number {
  const last = p.textEnd - p.textStart;
  if (p.text !== '' && start >= p.textEnd && start - p.textEnd <= p.lastHeadBytes) {
    return Math.min(2 * last, MAX_WINDOW);
  }
  return Math.max(WINDOW, 2 * p.lastHeadBytes);
}

/** grow: the size of the next window from `from`: at least the last one, and twice what is left of it. */
function grow(p: ParserState, from: number): number {
  return Math.max(WINDOW, p.textEnd - p.textStart, 2 * (p.textEnd - from));
}

/**
 * requestLine reads `method SP request-target SP HTTP/1.x CRLF` at `i` and
 * sets the method, target and version. Returns the index after the line,
 * FALLBACK or STALL.
 */
function requestLine(p: ParserState, data: Bytes, i: number, we: number): number {
  const methodChar = METHOD_CHAR; // locals: a module binding is loaded again on every pass
  const urlChar = URL_CHAR;
  let k = i;
  while (k < we && methodChar[data[k]!] === 1) k++;
  if (k + 1 >= we) return STALL;
  if (data[k] !== Byte.SP) return FALLBACK;
  const text = p.text;
  const t0 = p.textStart;
  const method = text.slice(i - t0, k - t0);
  const number = FAST_METHODS.get(method);
  if (number === undefined) return FALLBACK;
  const u = k + 1;
  const c = data[u]!;
  let e = u + 1;
  if (c !== Byte.SLASH && c !== Byte.ASTERISK) {
    if (ALPHA[c] !== 1) return FALLBACK;
    e = absoluteAuthorityEnd(data, e, we);
    if (e < 0) return e;
    const s = data[e]!;
    if (s === Byte.SLASH || s === Byte.QUESTION) e++;
    else if (s !== Byte.SP) return FALLBACK;
  }
  while (e < we && urlChar[data[e]!] === 1) e++;
  const v = e + 1; // HTTP/1.x CR LF
  if (v + 9 >= we) return STALL;
  const minor = data[v + 7]! - Byte.ZERO;
  if (
    data[e] !== Byte.SP ||
    data[v] !== Byte.UPPER_H ||
    data[v + 1] !== Byte.UPPER_T ||
    data[v + 2] !== Byte.UPPER_T ||
    data[v + 3] !== Byte.UPPER_P ||
    data[v + 4] !== Byte.SLASH ||
    data[v + 5] !== Byte.ZERO + 1 ||
    data[v + 6] !== Byte.DOT ||
    (minor !== 0 && minor !== 1) ||
    data[v + 8] !== Byte.CR ||
    data[v + 9] !== Byte.LF
  ) {
    return FALLBACK;
  }
  p.method = method;
  p.methodNumber = number;
  p.url = text.slice(u - t0, e - t0);
  p.protocol = 'HTTP';
  p.major = 1;
  p.minor = minor;
  return v + 10;
}

/**
 * absoluteAuthorityEnd reads the rest of `scheme "://" authority` from the
 * scheme's second byte at `e`, as URL_SCHEMA, URL_SCHEMA_DELIM and
 * URL_SERVER do (one `@` at most). Returns the index of the byte after the
 * authority, FALLBACK or STALL.
 */
function absoluteAuthorityEnd(data: Bytes, e: number, we: number): number {
  while (e < we && ALPHA[data[e]!] === 1) e++;
  if (e + 2 >= we) return STALL;
  if (data[e] !== Byte.COLON || data[e + 1] !== Byte.SLASH || data[e + 2] !== Byte.SLASH) {
    return FALLBACK;
  }
  e += 3;
  let at = false;
  for (;;) {
    while (e < we && URL_SERVER[data[e]!] === 1) e++;
    if (e >= we) return STALL;
    if (data[e] !== Byte.AT || at) return e;
    at = true;
    e++;
  }
}

/**
 * statusLine reads `HTTP/1.x SP 3DIGIT [SP reason-phrase] CRLF` at `i` and
 * sets the version, status and status text. Returns the index after the
 * line, FALLBACK or STALL.
 */
function statusLine(p: ParserState, data: Bytes, i: number, we: number): number {
  if (i + 13 >= we) return STALL;
  const minor = data[i + 7]! - Byte.ZERO;
  const d0 = data[i + 9]! - Byte.ZERO;
  const d1 = data[i + 10]! - Byte.ZERO;
  const d2 = data[i + 11]! - Byte.ZERO;
  if (
    data[i] !== Byte.UPPER_H ||
    data[i + 1] !== Byte.UPPER_T ||
    data[i + 2] !== Byte.UPPER_T ||
    data[i + 3] !== Byte.UPPER_P ||
    data[i + 4] !== Byte.SLASH ||
    data[i + 5] !== Byte.ZERO + 1 ||
    data[i + 6] !== Byte.DOT ||
    (minor !== 0 && minor !== 1) ||
    data[i + 8] !== Byte.SP ||
    !(d0 >= 0 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)
  ) {
    return FALLBACK;
  }
  let statusText = '';
  let next: number;
  const c = data[i + 12]!;
  if (c === Byte.CR) {
    if (data[i + 13] !== Byte.LF) return FALLBACK;
    next = i + 14;
  } else if (c === Byte.SP) {
    let e = i + 13;
    while (e < we && data[e] !== Byte.CR && data[e] !== Byte.LF) e++;
    if (e + 1 >= we) return STALL;
    if (data[e] !== Byte.CR || data[e + 1] !== Byte.LF) return FALLBACK;
    statusText = p.text.slice(i + 13 - p.textStart, e - p.textStart);
    next = e + 2;
  } else {
    return FALLBACK;
  }
  p.protocol = 'HTTP';
  p.major = 1;
  p.minor = minor;
  p.status = d0 * 100 + d1 * 10 + d2;
  p.statusText = statusText;
  return next;
}

/**
 * fieldLine reads `token ":" OWS field-value CRLF` at `j`, not followed by
 * SP or HTAB (obs-fold), and stores the header. Returns the index after the
 * line, FALLBACK or STALL.
 */
function fieldLine(p: ParserState, data: Bytes, j: number, we: number): number {
  const token = TOKEN; // a local: a module binding is loaded again on every pass
  let k = j;
  while (k < we && token[data[k]!] === 1) k++;
  if (k >= we) return STALL;
  if (k === j || data[k] !== Byte.COLON) return FALLBACK;
  let v = k + 1;
  while (v < we && (data[v] === Byte.SP || data[v] === Byte.HTAB)) v++;
  const e = fieldValueEnd(p, data, v, we);
  if (e + 2 >= we) return STALL;
  const after = data[e + 2];
  if (data[e] !== Byte.CR || data[e + 1] !== Byte.LF || after === Byte.SP || after === Byte.HTAB) {
    return FALLBACK;
  }
  const text = p.text;
  const t0 = p.textStart;
  const name = internedName(data, j, k) ?? text.slice(j - t0, k - t0);
  const headerState = specialHeaderState(name);
  if (headerState === HS.GENERAL) {
    let t = e;
    while (t > v && (data[t - 1] === Byte.SP || data[t - 1] === Byte.HTAB)) t--;
    p.headers.push([name, text.slice(v - t0, t - t0)]);
    return e + 2;
  }
  // An empty framing value has its own errors (Empty Content-Length): the state machine's.
  if (e === v) return FALLBACK;
  // The same steps as header-line.ts: field complete, value start, value end, value complete.
  fieldComplete(p, name, headerState, k);
  valueStartAt(p, v);
  p.spanStart = -1;
  valueSegmentEnd(p, text.slice(v - t0, e - t0), Byte.CR, e);
  valueComplete(p);
  return e + 2;
}

/** Values this long are scanned four bytes at a time. */
const WORDWISE = 16;

/**
 * fieldValueEnd returns the index of the first byte from `e` that is not
 * FIELD_VALUE (HTAB, SP, VCHAR, obs-text), or `we`. Long values are checked
 * a 32-bit word at a time: a word with a byte below 0x20 or equal to 0x7f
 * (the only bytes FIELD_VALUE lacks, but for HTAB) is then looked at bytewise.
 */
function fieldValueEnd(p: ParserState, data: Bytes, e: number, we: number): number {
  const fieldValue = FIELD_VALUE;
  if (we - e >= WORDWISE) {
    let view = p.view;
    if (view === null) {
      view = p.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    }
    for (;;) {
      for (; e + 4 <= we; e += 4) {
        const w = view.getUint32(e, true);
        const del = w ^ 0x7f7f7f7f;
        // "has a byte less than n" and "has a zero byte", on four bytes at once
        if ((((w - 0x20202020) & ~w) | ((del - 0x01010101) & ~del)) & 0x80808080) break;
      }
      const stop = Math.min(e + 4, we);
      while (e < stop && fieldValue[data[e]!] === 1) e++;
      if (e < stop || e >= we) return e;
    }
  }
  while (e < we && fieldValue[data[e]!] === 1) e++;
  return e;
}
