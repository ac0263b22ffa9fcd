/**
 * The request-line and status-line states (llhttp's `req_*`, `url_*`,
 * `res_*` nodes), byte by byte across chunk boundaries. The fast path for a
 * whole head in one chunk is fast-head.ts; this is what it falls back to.
 */
import { ALPHA, METHOD_CHAR, URL_CHAR, URL_SERVER } from './charsets.js';
import { Byte, type Bytes } from './bytes.js';
import { ERROR, LENIENT_FLAGS } from './constants.js';
import {
  HTTP_METHODS,
  ICE_METHODS,
  METHOD_NUMBERS,
  METHODS,
  methodPrefixLength,
  RTSP_METHODS,
} from './methods.js';
import { type ParserState, S } from './parser-state.js';

const PRI_PREFACE = '\r\n\r\nSM\r\n\r\n';

/** startLine runs the request-line and status-line states; returns the new index. */
export function startLine(p: ParserState, data: Bytes, i: number, end: number): number {
  const c = data[i]!;
  switch (p.state) {
    case S.REQ_METHOD: {
      while (i < end && METHOD_CHAR[data[i]!] === 1) i++;
      if (i >= end) {
        // llhttp matches the method byte by byte: a byte no method continues with fails at once
        const soFar = p.spanText + data.latin1Slice(p.spanStart, i);
        if (methodPrefixLength(soFar) < soFar.length) methodError(p, soFar, i);
        return i;
      }
      const name = p.endSpan(data, i);
      const number = METHOD_NUMBERS.get(name);
      if (number === undefined || data[i] !== Byte.SP) methodError(p, name, i);
      p.method = name;
      p.methodNumber = number;
      p.state = S.REQ_SPACES_BEFORE_URL;
      return i + 1;
    }
    case S.REQ_SPACES_BEFORE_URL:
      if (c === Byte.SP) return i + 1;
      p.spanStart = i;
      p.urlHasAt = false;
      p.state = p.methodNumber === METHODS.CONNECT ? S.URL_SERVER : S.URL_START;
      return i;
    case S.URL_START:
      if (c === 0x2f || c === 0x2a) {
        p.state = S.URL_PATH;
        return i + 1;
      }
      if (ALPHA[c] === 1) {
        p.state = S.URL_SCHEMA;
        return i + 1;
      }
      return urlError(p, c, 'Unexpected start char in url', i);
    case S.URL_SCHEMA:
      while (i < end && ALPHA[data[i]!] === 1) i++;
      if (i >= end) return i;
      if (data[i] === Byte.COLON) {
        p.state = S.URL_SCHEMA_DELIM;
        p.literalIndex = 0;
        return i + 1;
      }
      return urlError(p, data[i]!, 'Unexpected char in url schema', i);
    case S.URL_SCHEMA_DELIM:
      if (c !== 0x2f) {
        // llhttp's url_schema_delim_1 (the second slash) has no invalid-characters case
        if (p.literalIndex === 1) p.fail(ERROR.INVALID_URL, 'Unexpected char in url schema', i);
        return urlError(p, c, 'Unexpected char in url schema', i);
      }
      if (++p.literalIndex === 2) p.state = S.URL_SERVER;
      return i + 1;
    case S.URL_SERVER: {
      const from = i;
      while (i < end && URL_SERVER[data[i]!] === 1) i++;
      if (i > from) p.urlHasAt = false; // llhttp rejects only "@@": a@b@c is a valid authority
      if (i >= end) return i;
      const s = data[i]!;
      if (s === 0x2f || s === 0x3f) {
        p.state = S.URL_PATH;
        return i + 1;
      }
      if (s === 0x40) {
        if (p.urlHasAt) p.fail(ERROR.INVALID_URL, 'Double @ in url', i + 1);
        p.urlHasAt = true;
        return i + 1;
      }
      return urlEnd(p, data, s, 'Unexpected char in url server', i);
    }
    case S.URL_PATH:
      while (i < end && URL_CHAR[data[i]!] === 1) i++;
      if (i >= end) return i;
      return urlEnd(p, data, data[i]!, 'Invalid char in url path', i);
    case S.URL_CR:
      if (c !== Byte.LF) p.fail(ERROR.INVALID_URL, 'Expected CRLF', i);
      toHttp09(p);
      return i + 1;
    case S.URL_TO_HTTP09:
      // llhttp's url_to_http_09: HTAB or FF right after the target's line end is a url error
      if (c === Byte.HTAB || c === Byte.FF) {
        p.fail(ERROR.INVALID_URL, 'Invalid characters in url', i + 1);
      }
      p.state = S.HEADERS_START;
      return i;
    case S.REQ_HTTP_START:
      // llhttp's url_to_http: HTAB or FF right after the target's SP is a url error
      if (p.literalIndex === 0 && (c === Byte.HTAB || c === Byte.FF)) {
        p.fail(ERROR.INVALID_URL, 'Invalid characters in url', i + 1);
      }
      p.literalIndex = 1;
      if (c === Byte.SP) return i + 1;
      return protocolStart(p, c, i);
    case S.PROTOCOL: {
      if (p.literal === '') return protocolStart(p, c, i);
      if (c !== p.literal.charCodeAt(p.literalIndex)) {
        p.fail(ERROR.INVALID_CONSTANT, 'Expected HTTP/, RTSP/ or ICE/', i);
      }
      if (++p.literalIndex < p.literal.length) return i + 1;
      p.protocol = p.literal;
      if (p.isRequest) checkProtocolMethod(p, i);
      p.state = S.AFTER_PROTOCOL;
      return i + 1;
    }
    case S.AFTER_PROTOCOL:
      if (c !== 0x2f) p.fail(ERROR.INVALID_CONSTANT, 'Expected HTTP/, RTSP/ or ICE/', i);
      p.state = S.HTTP_MAJOR;
      return i + 1;
    case S.HTTP_MAJOR:
      if (c < 0x30 || c > 0x39) p.fail(ERROR.INVALID_VERSION, 'Invalid major version', i);
      p.major = c - 0x30;
      p.state = S.HTTP_DOT;
      return i + 1;
    case S.HTTP_DOT:
      if (c !== 0x2e) p.fail(ERROR.INVALID_VERSION, 'Expected dot', i);
      p.state = S.HTTP_MINOR;
      return i + 1;
    case S.HTTP_MINOR:
      if (c < 0x30 || c > 0x39) p.fail(ERROR.INVALID_VERSION, 'Invalid minor version', i);
      p.minor = c - 0x30;
      checkVersion(p, i);
      if (!p.isRequest) {
        p.state = S.RES_AFTER_VERSION;
      } else if (p.methodNumber === METHODS.PRI) {
        p.state = S.REQ_PRI_UPGRADE;
        p.literal = PRI_PREFACE;
        p.literalIndex = 0;
      } else {
        p.state = S.REQ_HTTP_COMPLETE;
      }
      return i + 1;
    case S.REQ_HTTP_COMPLETE:
      if (c === Byte.CR || (c === Byte.LF && p.hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF))) {
        p.state = S.REQ_HTTP_COMPLETE_CRLF;
        return i + 1;
      }
      return p.fail(
        ERROR.INVALID_VERSION,
        'Expected CRLF after version',
        c === Byte.LF ? i + 1 : i,
      );
    case S.REQ_HTTP_COMPLETE_CRLF:
      p.state = S.HEADERS_START;
      if (c === Byte.LF) return i + 1;
      if (p.hasLenient(LENIENT_FLAGS.OPTIONAL_LF_AFTER_CR)) return i;
      return p.fail(ERROR.STRICT, 'Expected CRLF after version', i);
    case S.REQ_PRI_UPGRADE:
      if (c !== PRI_PREFACE.charCodeAt(p.literalIndex)) {
        p.fail(ERROR.INVALID_VERSION, 'Expected HTTP/2 Connection Preface', i, true);
      }
      if (++p.literalIndex < PRI_PREFACE.length) return i + 1;
      return p.fail(ERROR.PAUSED_H2_UPGRADE, 'Pause on PRI/Upgrade', i + 1);
    case S.RES_AFTER_VERSION:
      if (c !== Byte.SP) p.fail(ERROR.INVALID_VERSION, 'Expected space after version', i);
      p.status = 0;
      p.statusDigits = 0;
      p.state = S.RES_STATUS_CODE;
      return i + 1;
    case S.RES_STATUS_CODE:
      if (c < 0x30 || c > 0x39) p.fail(ERROR.INVALID_STATUS, 'Invalid status code', i);
      p.status = p.status * 10 + (c - 0x30);
      if (++p.statusDigits === 3) p.state = S.RES_STATUS_CODE_OTHERWISE;
      return i + 1;
    case S.RES_STATUS_CODE_OTHERWISE:
      if (c === Byte.SP) {
        p.state = S.RES_STATUS;
        p.spanStart = i + 1;
        return i + 1;
      }
      p.statusText = '';
      if (c === Byte.CR) {
        p.state = S.RES_LINE_ALMOST_DONE;
        return i + 1;
      }
      if (c === Byte.LF && p.hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
        p.state = S.HEADERS_START;
        return i + 1;
      }
      return p.fail(ERROR.INVALID_STATUS, 'Invalid response status', c === Byte.LF ? i + 1 : i);
    case S.RES_STATUS: {
      while (i < end && data[i] !== Byte.CR && data[i] !== Byte.LF) i++;
      if (i >= end) return i;
      p.statusText = p.endSpan(data, i);
      if (data[i] === Byte.CR) {
        p.state = S.RES_LINE_ALMOST_DONE;
        return i + 1;
      }
      if (!p.hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
        p.fail(ERROR.CR_EXPECTED, 'Missing expected CR after response line', i + 1);
      }
      p.state = S.HEADERS_START;
      return i + 1;
    }
    default: // S.RES_LINE_ALMOST_DONE
      p.state = S.HEADERS_START;
      // llhttp 9's res_line_almost_done matches CR as well as LF
      if (c === Byte.LF || c === Byte.CR) return i + 1;
      if (p.hasLenient(LENIENT_FLAGS.OPTIONAL_LF_AFTER_CR)) return i;
      return p.fail(ERROR.STRICT, 'Expected LF after CR', i);
  }
}

/** methodError fails where llhttp's method trie stops matching. */
function methodError(p: ParserState, name: string, i: number): never {
  const matched = methodPrefixLength(name);
  const at = i - name.length + matched;
  if (METHOD_NUMBERS.has(name.slice(0, matched))) {
    p.fail(ERROR.INVALID_METHOD, 'Expected space after method', at);
  }
  return p.fail(ERROR.INVALID_METHOD, 'Invalid method encountered', at);
}

function protocolStart(p: ParserState, c: number, i: number): number {
  p.literal = c === 0x48 ? 'HTTP' : c === 0x52 ? 'RTSP' : c === 0x49 ? 'ICE' : '';
  if (p.literal === '') p.fail(ERROR.INVALID_CONSTANT, 'Expected HTTP/, RTSP/ or ICE/', i);
  p.literalIndex = 1;
  p.state = S.PROTOCOL;
  return i + 1;
}

function checkProtocolMethod(p: ParserState, i: number): void {
  const protocol = p.protocol;
  const allowed =
    protocol === 'HTTP' ? HTTP_METHODS : protocol === 'RTSP' ? RTSP_METHODS : ICE_METHODS;
  if (allowed.has(p.method)) return;
  const reason =
    protocol === 'ICE'
      ? 'Expected SOURCE method for ICE/x.x request'
      : `Invalid method for ${protocol}/x.x request`;
  p.fail(ERROR.INVALID_CONSTANT, reason, i + 1);
}

function checkVersion(p: ParserState, i: number): void {
  if (p.hasLenient(LENIENT_FLAGS.VERSION)) return;
  const major = p.major;
  const minor = p.minor;
  const ok =
    (major === 1 && minor <= 1) || (major === 0 && minor === 9) || (major === 2 && minor === 0);
  if (!ok) p.fail(ERROR.INVALID_VERSION, 'Invalid HTTP version', i + 1, true);
}

/** urlError fails for a byte llhttp rejects in the request-target. */
function urlError(p: ParserState, c: number, reason: string, i: number): never {
  const invalid =
    c === Byte.SP || c === Byte.CR || c === Byte.LF || c === Byte.HTAB || c === Byte.FF;
  return p.fail(
    ERROR.INVALID_URL,
    invalid ? 'Invalid characters in url' : reason,
    invalid ? i + 1 : i,
  );
}

/** urlEnd handles the byte that ends a host or path scan: SP, CR, LF or an error. */
function urlEnd(p: ParserState, data: Bytes, c: number, reason: string, i: number): number {
  if (c !== Byte.SP && c !== Byte.CR && c !== Byte.LF) {
    const invalid = c === Byte.HTAB || c === Byte.FF;
    return p.fail(
      ERROR.INVALID_URL,
      invalid ? 'Invalid characters in url' : reason,
      invalid ? i + 1 : i,
    );
  }
  p.url = p.endSpan(data, i);
  if (c === Byte.SP) {
    p.state = S.REQ_HTTP_START;
    p.literal = '';
    p.literalIndex = 0;
  } else if (c === Byte.CR) {
    p.state = S.URL_CR;
  } else {
    toHttp09(p);
  }
  return i + 1;
}

function toHttp09(p: ParserState): void {
  p.major = 0;
  p.minor = 9;
  p.state = S.URL_TO_HTTP09;
}
