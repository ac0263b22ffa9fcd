/**
 * Parser: an incremental HTTP/1.1 parser with llhttp 9's semantics, as a
 * byte-level state machine over Buffers. States carry llhttp's node names;
 * spans (method, target, status text, header names and values) are sliced
 * and decoded once; a span cut by a chunk boundary is carried over as text.
 */
import { ParseError } from '../errors.js';
import {
  ALPHA,
  FIELD_VALUE,
  HEX,
  METHOD_CHAR,
  QDTEXT,
  QUOTED_PAIR,
  TOKEN,
  URL_CHAR,
  URL_SERVER,
} from './charsets.js';
import { ERROR, FLAGS, LENIENT_FLAGS } from './constants.js';
import {
  connectionFlag,
  HEADER_STATE as HS,
  replayConnection,
  replayContentLength,
  replayTransferEncoding,
  specialHeaderState,
  ValueOutcome,
} from './field-semantics.js';
import { errorName } from './error-names.js';
import { HTTP_METHODS, ICE_METHODS, METHODS, methodPrefixLength, RTSP_METHODS } from './methods.js';
import type {
  HeaderPair,
  MessageHead,
  ParserCallbacks,
  ParserKind,
  ParserOptions,
} from './types.js';

const enum S {
  START,
  REQ_METHOD,
  REQ_SPACES_BEFORE_URL,
  URL_START,
  URL_SCHEMA,
  URL_SCHEMA_DELIM,
  URL_SERVER,
  URL_PATH,
  URL_CR,
  REQ_HTTP_START,
  PROTOCOL,
  AFTER_PROTOCOL,
  HTTP_MAJOR,
  HTTP_DOT,
  HTTP_MINOR,
  REQ_HTTP_COMPLETE,
  REQ_HTTP_COMPLETE_CRLF,
  REQ_PRI_UPGRADE,
  RES_AFTER_VERSION,
  RES_STATUS_CODE,
  RES_STATUS_CODE_OTHERWISE,
  RES_STATUS,
  RES_LINE_ALMOST_DONE,
  HEADERS_START,
  HEADER_FIELD_START,
  HEADER_FIELD,
  HEADER_FIELD_COLON_DISCARD_WS,
  HEADER_VALUE_DISCARD_WS,
  HEADER_VALUE_DISCARD_WS_ALMOST_DONE,
  HEADER_VALUE_DISCARD_LWS,
  HEADER_VALUE,
  HEADER_VALUE_ALMOST_DONE,
  HEADER_VALUE_LWS,
  HEADERS_ALMOST_DONE,
  HEADERS_DONE,
  BODY_IDENTITY,
  BODY_IDENTITY_EOF,
  CHUNK_SIZE_START,
  CHUNK_SIZE,
  CHUNK_SIZE_OTHERWISE,
  CHUNK_EXTENSIONS,
  CHUNK_EXTENSION_NAME,
  CHUNK_EXTENSION_VALUE,
  CHUNK_EXTENSION_QUOTED_VALUE,
  CHUNK_EXTENSION_QUOTED_VALUE_QUOTED_PAIR,
  CHUNK_EXTENSION_QUOTED_VALUE_DONE,
  CHUNK_SIZE_ALMOST_DONE,
  CHUNK_DATA,
  CHUNK_DATA_ALMOST_DONE,
  CHUNK_DATA_ALMOST_DONE_LF,
  MESSAGE_DONE,
  CLEANUP,
  CLOSED,
}

/** llhttp's `finish` field: what end of input means in the current state. */
const enum Finish {
  SAFE,
  SAFE_WITH_CB,
  UNSAFE,
}

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;
const FF = 12;
const COLON = 58;
const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
const PRI_PREFACE = '\r\n\r\nSM\r\n\r\n';
const METHOD_NUMBERS: ReadonlyMap<string, number> = new Map(Object.entries(METHODS));
const EMPTY_HEADERS: HeaderPair[] = [];

type Bytes = Buffer & { latin1Slice(start: number, end: number): string };

/** Parser reads HTTP/1.1 requests or responses from a byte stream, with llhttp's rules. */
export class Parser {
  readonly #isRequest: boolean;
  readonly #cb: ParserCallbacks;
  #lenient: number;
  #maxHeaderBytes: number;
  #requestMethod: string | readonly string[] | undefined;
  #responseIndex = 0; // final responses seen, for an array `requestMethod`

  #state = S.START;
  #finish = Finish.SAFE;
  #error: ParseError | null = null; // sticky until reset()
  #paused = false;
  #upgraded = false;
  #initialMessageCompleted = false;
  #base = 0; // stream offset of the current chunk's first byte

  #inHead = false; // counting head or trailer bytes against maxHeaderBytes
  #headLimit = 0; // stream offset where the head or trailers overflow

  #spanStart = -1; // index in the current chunk where the open span began, -1 when none
  #spanText = ''; // the open span's bytes from earlier chunks
  #literal = ''; // expected bytes for PROTOCOL / REQ_PRI_UPGRADE / URL_SCHEMA_DELIM
  #literalIndex = 0;

  // The message being parsed (llhttp's per-message fields).
  #flags = 0;
  #headerState: number = HS.GENERAL;
  #method = '';
  #methodNumber = -1;
  #url = '';
  #protocol = '';
  #major = 0;
  #minor = 0;
  #status = 0;
  #statusDigits = 0;
  #statusText = '';
  #upgrade = false;
  #contentLength = 0;
  #remaining = 0; // body or chunk bytes still to come
  #chunkDigits = 0; // significant hex digits of the chunk size
  #urlHasAt = false;
  #headers: HeaderPair[] = [];
  #trailers: HeaderPair[] = EMPTY_HEADERS;
  #field = '';
  #fieldGeneral = false; // a special name was followed by more token bytes (lenient)
  #pendingHeaderState: number = HS.GENERAL;
  #value = ''; // header value text of earlier obs-fold lines (lenient)
  #valueStart = 0; // stream offset of the current value segment
  readonly #outcome = new ValueOutcome();

  /**
   * Creates a parser for `kind` messages. `callbacks` are llhttp's; see
   * ParserCallbacks. `options.lenient` defaults to 0 (strict),
   * `options.maxHeaderBytes` to 65536.
   */
  constructor(kind: ParserKind, callbacks: ParserCallbacks = {}, options: ParserOptions = {}) {
    if (kind !== 'request' && kind !== 'response') {
      throw new TypeError(`parser kind must be 'request' or 'response', got ${String(kind)}`);
    }
    this.#isRequest = kind === 'request';
    this.#cb = callbacks;
    this.#lenient = options.lenient ?? 0;
    this.#maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.#requestMethod = options.requestMethod;
  }

  /** True once a message switched protocols: `execute()` consumes nothing more until reset. */
  get upgraded(): boolean {
    return this.#upgraded;
  }

  /** True while paused by `pause()`. */
  get paused(): boolean {
    return this.#paused;
  }

  /** The stream offset of the next byte to parse. */
  get offset(): number {
    return this.#base;
  }

  /** The lenient flags in force; may be changed between messages. */
  get lenient(): number {
    return this.#lenient;
  }

  set lenient(flags: number) {
    this.#lenient = flags;
  }

  /**
   * The request method(s) the coming responses answer (responses only). May
   * be changed between messages, e.g. by a client before each `read`.
   */
  set requestMethod(method: string | readonly string[] | undefined) {
    this.#requestMethod = method;
    this.#responseIndex = 0;
  }

  /** pause stops `execute()` after the current callback; it returns the bytes consumed so far. */
  pause(): void {
    this.#paused = true;
  }

  /** resume undoes `pause()`; feed the bytes `execute()` did not consume again. */
  resume(): void {
    this.#paused = false;
  }

  /**
   * resumeAfterUpgrade continues parsing HTTP after a message that would
   * upgrade the connection (a server declining an Upgrade), as llhttp's
   * `llhttp_resume_after_upgrade`.
   */
  resumeAfterUpgrade(): void {
    if (!this.#upgraded) return;
    this.#upgraded = false;
    this.#state = S.CLEANUP;
  }

  /** reset makes the parser new again, keeping its kind, callbacks and options. */
  reset(): void {
    this.#state = S.START;
    this.#finish = Finish.SAFE;
    this.#error = null;
    this.#paused = false;
    this.#upgraded = false;
    this.#initialMessageCompleted = false;
    this.#base = 0;
    this.#inHead = false;
    this.#spanStart = -1;
    this.#spanText = '';
    this.#responseIndex = 0;
    this.#resetMessage();
  }

  /**
   * execute parses `chunk` and returns the bytes consumed: all of them unless
   * a callback paused the parser or a message switched protocols. Throws a
   * ParseError on bad input; the error is sticky until `reset()`.
   */
  execute(chunk: Uint8Array): number {
    if (this.#error !== null) throw this.#error;
    if (this.#paused || this.#upgraded) return 0;
    const data = (
      Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    ) as Bytes;
    if (this.#spanStart !== -1) this.#spanStart = 0;
    let consumed: number;
    try {
      consumed = this.#run(data);
    } catch (err) {
      if (this.#error === null) {
        this.#error = new ParseError('HPE_USER', 'callback error', this.#base);
      }
      throw err;
    }
    this.#base += consumed;
    return consumed;
  }

  /**
   * finish tells the parser the input ended. It completes a body read until
   * close and throws HPE_INVALID_EOF_STATE when a message is incomplete.
   */
  finish(): void {
    if (this.#error !== null || this.#upgraded) return;
    if (this.#finish === Finish.SAFE_WITH_CB) {
      this.#finish = Finish.SAFE;
      this.#state = S.CLOSED;
      this.#cb.onMessageComplete?.();
    } else if (this.#finish === Finish.UNSAFE) {
      this.#error = new ParseError('HPE_INVALID_EOF_STATE', 'Invalid EOF state', this.#base);
      throw this.#error;
    }
  }

  #fail(code: number, reason: string, index: number): never {
    this.#error = new ParseError(errorName(code), reason, this.#base + index);
    throw this.#error;
  }

  #hasLenient(flag: number): boolean {
    return (this.#lenient & flag) !== 0;
  }

  /** #endSpan closes the open span at `index` and returns its text. */
  #endSpan(data: Bytes, index: number): string {
    const start = this.#spanStart;
    this.#spanStart = -1;
    const text = this.#spanText;
    if (text === '') return data.latin1Slice(start, index);
    this.#spanText = '';
    return text + data.latin1Slice(start, index);
  }

  #run(data: Bytes): number {
    const len = data.length;
    let i = 0;
    for (;;) {
      let end = len;
      if (this.#inHead) {
        const limit = this.#headLimit - this.#base;
        if (limit < len) {
          if (i >= limit) this.#fail(ERROR.HEADER_OVERFLOW, 'Header overflow', limit);
          end = limit;
        }
      }
      const state = this.#state;
      if (i >= end && state !== S.HEADERS_DONE && state !== S.MESSAGE_DONE && state !== S.CLEANUP) {
        break;
      }
      switch (state) {
        case S.START: {
          const c = data[i]!;
          if (c === CR || c === LF) {
            i++;
            break;
          }
          if (!this.#beginMessage(i)) return i;
          break;
        }
        case S.REQ_METHOD:
        case S.URL_START:
        case S.URL_SCHEMA:
        case S.URL_SCHEMA_DELIM:
        case S.URL_SERVER:
        case S.URL_PATH:
        case S.URL_CR:
        case S.REQ_SPACES_BEFORE_URL:
        case S.REQ_HTTP_START:
        case S.PROTOCOL:
        case S.AFTER_PROTOCOL:
        case S.HTTP_MAJOR:
        case S.HTTP_DOT:
        case S.HTTP_MINOR:
        case S.REQ_HTTP_COMPLETE:
        case S.REQ_HTTP_COMPLETE_CRLF:
        case S.REQ_PRI_UPGRADE:
        case S.RES_AFTER_VERSION:
        case S.RES_STATUS_CODE:
        case S.RES_STATUS_CODE_OTHERWISE:
        case S.RES_STATUS:
        case S.RES_LINE_ALMOST_DONE:
          i = this.#startLine(data, i, end);
          break;
        case S.HEADERS_DONE:
          if (!this.#afterHeadersComplete(i)) return i;
          break;
        case S.BODY_IDENTITY: {
          const n = Math.min(this.#remaining, len - i);
          this.#remaining -= n;
          if (this.#remaining === 0) this.#state = S.MESSAGE_DONE;
          this.#cb.onBody?.(data.subarray(i, i + n));
          i += n;
          if (this.#paused) return i;
          break;
        }
        case S.BODY_IDENTITY_EOF:
          this.#cb.onBody?.(data.subarray(i, len));
          i = len;
          if (this.#paused) return i;
          break;
        case S.CHUNK_DATA: {
          const n = Math.min(this.#remaining, len - i);
          this.#remaining -= n;
          if (this.#remaining === 0) this.#state = S.CHUNK_DATA_ALMOST_DONE;
          this.#cb.onBody?.(data.subarray(i, i + n));
          i += n;
          if (this.#paused) return i;
          break;
        }
        case S.MESSAGE_DONE:
          if (!this.#messageComplete(this.#upgrade)) return i;
          break;
        case S.CLEANUP:
          this.#cleanup();
          break;
        case S.CLOSED: {
          const c = data[i]!;
          if (c !== CR && c !== LF && !this.#hasLenient(LENIENT_FLAGS.DATA_AFTER_CLOSE)) {
            this.#fail(ERROR.CLOSED_CONNECTION, 'Data after `Connection: close`', i + 1);
          }
          i++;
          break;
        }
        default:
          if (state < S.HEADERS_DONE) i = this.#headerLine(data, i, end);
          else i = this.#chunked(data, i, end);
          if (i < 0) return ~i;
      }
      if (this.#upgraded) return i;
    }
    if (this.#spanStart !== -1) {
      this.#spanText += data.latin1Slice(this.#spanStart, len);
      this.#spanStart = 0;
    }
    return i;
  }

  /** #beginMessage starts a message at `i`; false when a callback paused. */
  #beginMessage(i: number): boolean {
    if (this.#initialMessageCompleted) {
      this.#cb.onReset?.();
    }
    this.#finish = Finish.UNSAFE;
    this.#inHead = true;
    this.#headLimit = this.#base + i + this.#maxHeaderBytes;
    this.#spanStart = i;
    this.#state = this.#isRequest ? S.REQ_METHOD : S.PROTOCOL;
    if (!this.#isRequest) this.#spanStart = -1;
    this.#literal = '';
    this.#cb.onMessageBegin?.();
    return !this.#paused;
  }

  /** #startLine runs the request-line and status-line states; returns the new index. */
  #startLine(data: Bytes, i: number, end: number): number {
    const c = data[i]!;
    switch (this.#state) {
      case S.REQ_METHOD: {
        while (i < end && METHOD_CHAR[data[i]!] === 1) i++;
        if (i >= end) return i;
        const name = this.#endSpan(data, i);
        const number = METHOD_NUMBERS.get(name);
        if (number === undefined || data[i] !== SP) this.#methodError(name, i);
        this.#method = name;
        this.#methodNumber = number;
        this.#state = S.REQ_SPACES_BEFORE_URL;
        return i + 1;
      }
      case S.REQ_SPACES_BEFORE_URL:
        if (c === SP) return i + 1;
        this.#spanStart = i;
        this.#urlHasAt = false;
        this.#state = this.#methodNumber === METHODS.CONNECT ? S.URL_SERVER : S.URL_START;
        return i;
      case S.URL_START:
        if (c === 0x2f || c === 0x2a) {
          this.#state = S.URL_PATH;
          return i + 1;
        }
        if (ALPHA[c] === 1) {
          this.#state = S.URL_SCHEMA;
          return i + 1;
        }
        return this.#urlError(c, 'Unexpected start char in url', i);
      case S.URL_SCHEMA:
        while (i < end && ALPHA[data[i]!] === 1) i++;
        if (i >= end) return i;
        if (data[i] === COLON) {
          this.#state = S.URL_SCHEMA_DELIM;
          this.#literalIndex = 0;
          return i + 1;
        }
        return this.#urlError(data[i]!, 'Unexpected char in url schema', i);
      case S.URL_SCHEMA_DELIM:
        if (c !== 0x2f) return this.#urlError(c, 'Unexpected char in url schema', i);
        if (++this.#literalIndex === 2) this.#state = S.URL_SERVER;
        return i + 1;
      case S.URL_SERVER: {
        while (i < end && URL_SERVER[data[i]!] === 1) i++;
        if (i >= end) return i;
        const s = data[i]!;
        if (s === 0x2f || s === 0x3f) {
          this.#state = S.URL_PATH;
          return i + 1;
        }
        if (s === 0x40) {
          if (this.#urlHasAt) this.#fail(ERROR.INVALID_URL, 'Double @ in url', i + 1);
          this.#urlHasAt = true;
          return i + 1;
        }
        return this.#urlEnd(data, s, 'Unexpected char in url server', i);
      }
      case S.URL_PATH:
        while (i < end && URL_CHAR[data[i]!] === 1) i++;
        if (i >= end) return i;
        return this.#urlEnd(data, data[i]!, 'Invalid char in url path', i);
      case S.URL_CR:
        if (c !== LF) this.#fail(ERROR.INVALID_URL, 'Expected CRLF', i);
        this.#toHttp09();
        return i + 1;
      case S.REQ_HTTP_START:
        if (c === SP) return i + 1;
        return this.#protocolStart(c, i);
      case S.PROTOCOL: {
        if (this.#literal === '') return this.#protocolStart(c, i);
        if (c !== this.#literal.charCodeAt(this.#literalIndex)) {
          this.#fail(ERROR.INVALID_CONSTANT, 'Expected HTTP/, RTSP/ or ICE/', i);
        }
        if (++this.#literalIndex < this.#literal.length) return i + 1;
        this.#protocol = this.#literal;
        if (this.#isRequest) this.#checkProtocolMethod(i);
        this.#state = S.AFTER_PROTOCOL;
        return i + 1;
      }
      case S.AFTER_PROTOCOL:
        if (c !== 0x2f) this.#fail(ERROR.INVALID_CONSTANT, 'Expected HTTP/, RTSP/ or ICE/', i);
        this.#state = S.HTTP_MAJOR;
        return i + 1;
      case S.HTTP_MAJOR:
        if (c < 0x30 || c > 0x39) this.#fail(ERROR.INVALID_VERSION, 'Invalid major version', i);
        this.#major = c - 0x30;
        this.#state = S.HTTP_DOT;
        return i + 1;
      case S.HTTP_DOT:
        if (c !== 0x2e) this.#fail(ERROR.INVALID_VERSION, 'Expected dot', i);
        this.#state = S.HTTP_MINOR;
        return i + 1;
      case S.HTTP_MINOR:
        if (c < 0x30 || c > 0x39) this.#fail(ERROR.INVALID_VERSION, 'Invalid minor version', i);
        this.#minor = c - 0x30;
        this.#checkVersion(i);
        if (!this.#isRequest) {
          this.#state = S.RES_AFTER_VERSION;
        } else if (this.#methodNumber === METHODS.PRI) {
          this.#state = S.REQ_PRI_UPGRADE;
          this.#literal = PRI_PREFACE;
          this.#literalIndex = 0;
        } else {
          this.#state = S.REQ_HTTP_COMPLETE;
        }
        return i + 1;
      case S.REQ_HTTP_COMPLETE:
        if (c === CR || (c === LF && this.#hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF))) {
          this.#state = S.REQ_HTTP_COMPLETE_CRLF;
          return i + 1;
        }
        return this.#fail(
          ERROR.INVALID_VERSION,
          'Expected CRLF after version',
          c === LF ? i + 1 : i,
        );
      case S.REQ_HTTP_COMPLETE_CRLF:
        this.#state = S.HEADERS_START;
        if (c === LF) return i + 1;
        if (this.#hasLenient(LENIENT_FLAGS.OPTIONAL_LF_AFTER_CR)) return i;
        return this.#fail(ERROR.STRICT, 'Expected CRLF after version', i);
      case S.REQ_PRI_UPGRADE:
        if (c !== PRI_PREFACE.charCodeAt(this.#literalIndex)) {
          this.#fail(ERROR.INVALID_VERSION, 'Expected HTTP/2 Connection Preface', i);
        }
        if (++this.#literalIndex < PRI_PREFACE.length) return i + 1;
        return this.#fail(ERROR.PAUSED_H2_UPGRADE, 'Pause on PRI/Upgrade', i + 1);
      case S.RES_AFTER_VERSION:
        if (c !== SP) this.#fail(ERROR.INVALID_VERSION, 'Expected space after version', i);
        this.#status = 0;
        this.#statusDigits = 0;
        this.#state = S.RES_STATUS_CODE;
        return i + 1;
      case S.RES_STATUS_CODE:
        if (c < 0x30 || c > 0x39) this.#fail(ERROR.INVALID_STATUS, 'Invalid status code', i);
        this.#status = this.#status * 10 + (c - 0x30);
        if (++this.#statusDigits === 3) this.#state = S.RES_STATUS_CODE_OTHERWISE;
        return i + 1;
      case S.RES_STATUS_CODE_OTHERWISE:
        if (c === SP) {
          this.#state = S.RES_STATUS;
          this.#spanStart = i + 1;
          return i + 1;
        }
        this.#statusText = '';
        if (c === CR) {
          this.#state = S.RES_LINE_ALMOST_DONE;
          return i + 1;
        }
        if (c === LF && this.#hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
          this.#state = S.HEADERS_START;
          return i + 1;
        }
        return this.#fail(ERROR.INVALID_STATUS, 'Invalid response status', c === LF ? i + 1 : i);
      case S.RES_STATUS: {
        while (i < end && data[i] !== CR && data[i] !== LF) i++;
        if (i >= end) return i;
        this.#statusText = this.#endSpan(data, i);
        if (data[i] === CR) {
          this.#state = S.RES_LINE_ALMOST_DONE;
          return i + 1;
        }
        if (!this.#hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
          this.#fail(ERROR.CR_EXPECTED, 'Missing expected CR after response line', i + 1);
        }
        this.#state = S.HEADERS_START;
        return i + 1;
      }
      default: // S.RES_LINE_ALMOST_DONE
        this.#state = S.HEADERS_START;
        if (c === LF) return i + 1;
        if (this.#hasLenient(LENIENT_FLAGS.OPTIONAL_LF_AFTER_CR)) return i;
        return this.#fail(ERROR.STRICT, 'Expected LF after CR', i);
    }
  }

  /** #methodError fails where llhttp's method trie stops matching. */
  #methodError(name: string, i: number): never {
    const matched = methodPrefixLength(name);
    const at = i - name.length + matched;
    if (METHOD_NUMBERS.has(name.slice(0, matched))) {
      this.#fail(ERROR.INVALID_METHOD, 'Expected space after method', at);
    }
    return this.#fail(ERROR.INVALID_METHOD, 'Invalid method encountered', at);
  }

  #protocolStart(c: number, i: number): number {
    this.#literal = c === 0x48 ? 'HTTP' : c === 0x52 ? 'RTSP' : c === 0x49 ? 'ICE' : '';
    if (this.#literal === '')
      this.#fail(ERROR.INVALID_CONSTANT, 'Expected HTTP/, RTSP/ or ICE/', i);
    this.#literalIndex = 1;
    this.#state = S.PROTOCOL;
    return i + 1;
  }

  #checkProtocolMethod(i: number): void {
    const protocol = this.#protocol;
    const allowed =
      protocol === 'HTTP' ? HTTP_METHODS : protocol === 'RTSP' ? RTSP_METHODS : ICE_METHODS;
    if (allowed.has(this.#method)) return;
    const reason =
      protocol === 'ICE'
        ? 'Expected SOURCE method for ICE/x.x request'
        : `Invalid method for ${protocol}/x.x request`;
    this.#fail(ERROR.INVALID_CONSTANT, reason, i + 1);
  }

  #checkVersion(i: number): void {
    if (this.#hasLenient(LENIENT_FLAGS.VERSION)) return;
    const major = this.#major;
    const minor = this.#minor;
    const ok =
      (major === 1 && minor <= 1) || (major === 0 && minor === 9) || (major === 2 && minor === 0);
    if (!ok) this.#fail(ERROR.INVALID_VERSION, 'Invalid HTTP version', i + 1);
  }

  /** #urlError fails for a byte llhttp rejects in the request-target. */
  #urlError(c: number, reason: string, i: number): never {
    const invalid = c === SP || c === CR || c === LF || c === HTAB || c === FF;
    return this.#fail(
      ERROR.INVALID_URL,
      invalid ? 'Invalid characters in url' : reason,
      invalid ? i + 1 : i,
    );
  }

  /** #urlEnd handles the byte that ends a host or path scan: SP, CR, LF or an error. */
  #urlEnd(data: Bytes, c: number, reason: string, i: number): number {
    if (c !== SP && c !== CR && c !== LF) {
      const invalid = c === HTAB || c === FF;
      return this.#fail(
        ERROR.INVALID_URL,
        invalid ? 'Invalid characters in url' : reason,
        invalid ? i + 1 : i,
      );
    }
    this.#url = this.#endSpan(data, i);
    if (c === SP) {
      this.#state = S.REQ_HTTP_START;
      this.#literal = '';
    } else if (c === CR) {
      this.#state = S.URL_CR;
    } else {
      this.#toHttp09();
    }
    return i + 1;
  }

  #toHttp09(): void {
    this.#major = 0;
    this.#minor = 9;
    this.#state = S.HEADERS_START;
  }

  /**
   * #headerLine runs the header and trailer states. Returns the new index,
   * or its bitwise complement when a callback paused.
   */
  #headerLine(data: Bytes, i: number, end: number): number {
    const c = data[i]!;
    switch (this.#state) {
      case S.HEADERS_START:
        this.#state = S.HEADER_FIELD_START;
        if (c !== SP) return i;
        if (!this.#hasLenient(LENIENT_FLAGS.HEADERS)) {
          this.#fail(ERROR.UNEXPECTED_SPACE, 'Unexpected space after start line', i + 1);
        }
        return i + 1;
      case S.HEADER_FIELD_START:
        if (c === CR) {
          this.#state = S.HEADERS_ALMOST_DONE;
          return i + 1;
        }
        if (c === LF) {
          if (!this.#hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
            this.#fail(ERROR.INVALID_HEADER_TOKEN, 'Invalid header field char', i + 1);
          }
          return this.#endOfHead(i + 1);
        }
        if (c === COLON) this.#fail(ERROR.INVALID_HEADER_TOKEN, 'Invalid header token', i);
        this.#spanStart = i;
        this.#fieldGeneral = false;
        this.#state = S.HEADER_FIELD;
        return i;
      case S.HEADER_FIELD: {
        while (i < end && TOKEN[data[i]!] === 1) i++;
        if (i >= end) return i;
        const b = data[i]!;
        if (b === COLON) {
          const name = this.#endSpan(data, i);
          this.#fieldComplete(name, this.#fieldGeneral ? HS.GENERAL : specialHeaderState(name), i);
          return i + 1;
        }
        if (b === SP && !this.#fieldGeneral) {
          const soFar = this.#spanText + data.latin1Slice(this.#spanStart, i);
          const special = specialHeaderState(soFar);
          if (special !== HS.GENERAL) {
            if (!this.#hasLenient(LENIENT_FLAGS.HEADERS)) {
              this.#fail(ERROR.INVALID_HEADER_TOKEN, 'Invalid header field char', i + 1);
            }
            this.#pendingHeaderState = special;
            this.#state = S.HEADER_FIELD_COLON_DISCARD_WS;
            return i + 1;
          }
        }
        return this.#fail(ERROR.INVALID_HEADER_TOKEN, 'Invalid header token', i);
      }
      case S.HEADER_FIELD_COLON_DISCARD_WS:
        if (c === SP) return i + 1;
        if (c === COLON) {
          this.#fieldComplete(this.#endSpan(data, i), this.#pendingHeaderState, i);
          return i + 1;
        }
        this.#fieldGeneral = true;
        this.#state = S.HEADER_FIELD;
        return i;
      case S.HEADER_VALUE_DISCARD_WS:
        if (c === SP || c === HTAB) return i + 1;
        if (c === CR) {
          this.#state = S.HEADER_VALUE_DISCARD_WS_ALMOST_DONE;
          return i + 1;
        }
        if (c === LF) {
          if (!this.#hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
            this.#fail(ERROR.INVALID_HEADER_TOKEN, 'Invalid header value char', i + 1);
          }
          this.#state = S.HEADER_VALUE_DISCARD_LWS;
          return i + 1;
        }
        this.#valueStartAt(i);
        return i;
      case S.HEADER_VALUE_DISCARD_WS_ALMOST_DONE:
        this.#state = S.HEADER_VALUE_DISCARD_LWS;
        if (c === LF) return i + 1;
        if (this.#hasLenient(LENIENT_FLAGS.HEADERS)) return i;
        return this.#fail(ERROR.STRICT, 'Expected LF after CR', i);
      case S.HEADER_VALUE_DISCARD_LWS:
        if (c === SP || c === HTAB) {
          if (!this.#hasLenient(LENIENT_FLAGS.HEADERS)) {
            this.#fail(ERROR.INVALID_HEADER_TOKEN, 'Invalid header value char', i + 1);
          }
          this.#state = S.HEADER_VALUE_DISCARD_WS;
          return i + 1;
        }
        if (this.#headerState === HS.CONTENT_LENGTH) {
          this.#fail(ERROR.INVALID_CONTENT_LENGTH, 'Empty Content-Length', i);
        }
        this.#valueComplete();
        return i;
      case S.HEADER_VALUE: {
        if (this.#hasLenient(LENIENT_FLAGS.HEADERS)) {
          while (i < end && data[i] !== CR && data[i] !== LF) i++;
        } else {
          while (i < end && FIELD_VALUE[data[i]!] === 1) i++;
        }
        if (i >= end) return i;
        return this.#valueEnd(data, i);
      }
      case S.HEADER_VALUE_ALMOST_DONE:
        if (c !== LF) this.#fail(ERROR.LF_EXPECTED, 'Missing expected LF after header value', i);
        this.#state = S.HEADER_VALUE_LWS;
        return i + 1;
      case S.HEADER_VALUE_LWS:
        if (c === SP || c === HTAB) {
          if (!this.#hasLenient(LENIENT_FLAGS.HEADERS)) {
            this.#fail(ERROR.INVALID_HEADER_TOKEN, 'Unexpected whitespace after header value', i);
          }
          if (this.#headerState === HS.TRANSFER_ENCODING_CHUNKED) this.#headerState = HS.GENERAL;
          this.#valueStartAt(i);
          return i;
        }
        this.#valueComplete();
        return i;
      default: // S.HEADERS_ALMOST_DONE
        if (c === LF) return this.#endOfHead(i + 1);
        if (this.#hasLenient(LENIENT_FLAGS.OPTIONAL_LF_AFTER_CR)) return this.#endOfHead(i);
        return this.#fail(ERROR.STRICT, 'Expected LF after headers', i);
    }
  }

  /** #fieldComplete: llhttp's on_header_field_complete with the TE/CL conflict checks. */
  #fieldComplete(name: string, headerState: number, i: number): void {
    const flags = this.#flags;
    if (!this.#hasLenient(LENIENT_FLAGS.CHUNKED_LENGTH)) {
      if (headerState === HS.TRANSFER_ENCODING && (flags & FLAGS.CONTENT_LENGTH) !== 0) {
        // RFC 9112 §6.3: Transfer-Encoding with Content-Length may be smuggling
        this.#fail(
          ERROR.INVALID_TRANSFER_ENCODING,
          "Transfer-Encoding can't be present with Content-Length",
          i + 1,
        );
      }
      if (headerState === HS.CONTENT_LENGTH && (flags & FLAGS.TRANSFER_ENCODING) !== 0) {
        this.#fail(
          ERROR.INVALID_CONTENT_LENGTH,
          "Content-Length can't be present with Transfer-Encoding",
          i + 1,
        );
      }
    }
    this.#field = name;
    this.#headerState = headerState;
    this.#value = '';
    this.#state = S.HEADER_VALUE_DISCARD_WS;
  }

  /** #valueStartAt: llhttp's header_value_start at the first byte of a value segment. */
  #valueStartAt(i: number): void {
    switch (this.#headerState) {
      case HS.UPGRADE:
        this.#flags |= FLAGS.UPGRADE;
        this.#headerState = HS.GENERAL;
        break;
      case HS.TRANSFER_ENCODING:
        if (
          (this.#flags & FLAGS.CHUNKED) !== 0 &&
          this.#isRequest &&
          !this.#hasLenient(LENIENT_FLAGS.TRANSFER_ENCODING)
        ) {
          // RFC 9112 §6.1: nothing may follow chunked in a request
          this.#fail(
            ERROR.INVALID_TRANSFER_ENCODING,
            'Invalid `Transfer-Encoding` header value',
            i + 1,
          );
        }
        this.#flags = (this.#flags | FLAGS.TRANSFER_ENCODING) & ~FLAGS.CHUNKED;
        break;
      case HS.CONTENT_LENGTH:
        if ((this.#flags & FLAGS.CONTENT_LENGTH) !== 0) {
          // RFC 9112 §6.3: a repeated Content-Length is a framing attack vector
          this.#fail(ERROR.UNEXPECTED_CONTENT_LENGTH, 'Duplicate Content-Length', i);
        }
        break;
    }
    this.#valueStart = this.#base + i;
    this.#spanStart = i;
    this.#state = S.HEADER_VALUE;
  }

  /** #valueEnd handles the byte ending a value segment: CR, LF or an invalid byte. */
  #valueEnd(data: Bytes, i: number): number {
    const term = data[i]!;
    const segment = this.#endSpan(data, i);
    const out = this.#outcome;
    out.error = ERROR.OK;
    switch (this.#headerState) {
      case HS.CONTENT_LENGTH:
        replayContentLength(segment, term, out);
        if (out.error === ERROR.OK) {
          this.#flags |= FLAGS.CONTENT_LENGTH;
          this.#contentLength = out.contentLength;
        }
        break;
      case HS.TRANSFER_ENCODING:
        replayTransferEncoding(segment, term, this.#isRequest, this.#lenient, out);
        this.#headerState = out.headerState;
        break;
      case HS.CONNECTION:
        this.#flags |= replayConnection(segment, this.#headerState, out);
        this.#headerState = out.headerState;
        break;
    }
    if (out.error !== ERROR.OK) {
      this.#fail(out.error, out.reason, this.#valueStart - this.#base + out.at);
    }
    this.#value = this.#value === '' ? segment : this.#value + segment;
    if (term === CR) {
      this.#state = S.HEADER_VALUE_ALMOST_DONE;
      return i + 1;
    }
    if (term === LF) {
      if (!this.#hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
        this.#fail(ERROR.CR_EXPECTED, 'Missing expected CR after header value', i);
      }
      this.#state = S.HEADER_VALUE_ALMOST_DONE;
      return i;
    }
    return this.#fail(ERROR.INVALID_HEADER_TOKEN, 'Invalid header value char', i);
  }

  /** #valueComplete: llhttp's setHeaderFlags + on_header_value_complete; stores the line. */
  #valueComplete(): void {
    this.#flags |= connectionFlag(this.#headerState);
    const pair: HeaderPair = [this.#field, trimEnd(this.#value)];
    if ((this.#flags & FLAGS.TRAILING) !== 0) {
      if (this.#trailers === EMPTY_HEADERS) this.#trailers = [];
      this.#trailers.push(pair);
    } else {
      this.#headers.push(pair);
    }
    this.#value = '';
    this.#state = S.HEADER_FIELD_START;
  }

  /** #endOfHead: the empty line after the headers or the trailers. */
  #endOfHead(i: number): number {
    this.#inHead = false;
    if ((this.#flags & FLAGS.TRAILING) === 0) return this.#headersComplete(i);
    if (this.#trailers.length > 0) this.#cb.onTrailers?.(this.#trailers);
    this.#state = S.MESSAGE_DONE;
    this.#cb.onChunkComplete?.();
    return this.#paused ? ~i : i;
  }

  /** #headersComplete: llhttp's before_headers_complete + on_headers_complete. */
  #headersComplete(i: number): number {
    const flags = this.#flags;
    const isRequest = this.#isRequest;
    if ((flags & FLAGS.UPGRADE) !== 0 && (flags & FLAGS.CONNECTION_UPGRADE) !== 0) {
      this.#upgrade = isRequest || this.#status === 101;
    } else {
      this.#upgrade = isRequest && this.#methodNumber === METHODS.CONNECT;
    }
    // RFC 9110 §15.2.2: after a 101 the connection speaks another protocol
    if (!isRequest && this.#status === 101) this.#upgrade = true;
    if (!isRequest) this.#applyRequestMethod();
    const head: MessageHead = {
      method: isRequest ? this.#method : null,
      url: isRequest ? this.#url : null,
      status: isRequest ? null : this.#status,
      statusText: isRequest ? null : this.#statusText,
      versionMajor: this.#major,
      versionMinor: this.#minor,
      headers: this.#headers,
      upgrade: this.#upgrade,
      shouldKeepAlive: this.#shouldKeepAlive(),
      contentLength: (this.#flags & FLAGS.CONTENT_LENGTH) !== 0 ? this.#contentLength : -1,
      chunked: (this.#flags & FLAGS.CHUNKED) !== 0,
    };
    this.#state = S.HEADERS_DONE;
    const skip = this.#cb.onHeadersComplete?.(head);
    if (skip === 1) {
      this.#flags |= FLAGS.SKIPBODY;
    } else if (skip === 2) {
      this.#flags |= FLAGS.SKIPBODY;
      this.#upgrade = true;
      head.upgrade = true;
    }
    return this.#paused ? ~i : i;
  }

  /** #applyRequestMethod: a response to HEAD has no body; a 2xx to CONNECT upgrades. */
  #applyRequestMethod(): void {
    const option = this.#requestMethod;
    if (option === undefined) return;
    const status = this.#status;
    let method: string | undefined;
    if (typeof option === 'string') {
      method = option;
    } else {
      method = option[this.#responseIndex];
      if (status < 100 || status > 199 || status === 101) this.#responseIndex++;
    }
    if (method === 'HEAD') {
      this.#flags |= FLAGS.SKIPBODY;
    } else if (method === 'CONNECT' && status >= 200 && status <= 299) {
      this.#flags |= FLAGS.SKIPBODY;
      this.#upgrade = true;
    }
  }

  /** #afterHeadersComplete: llhttp's body framing decision. False when a callback paused. */
  #afterHeadersComplete(i: number): boolean {
    const flags = this.#flags;
    const isRequest = this.#isRequest;
    const status = this.#status;
    const hasBody = (flags & FLAGS.CHUNKED) !== 0 || this.#contentLength > 0;
    const skipBody = (flags & FLAGS.SKIPBODY) !== 0;
    if (
      (this.#upgrade &&
        ((isRequest && this.#methodNumber === METHODS.CONNECT) || skipBody || !hasBody)) ||
      (!isRequest && status === 101)
    ) {
      return this.#messageComplete(true);
    }
    if (
      skipBody ||
      (!isRequest &&
        (status === 100 || status === 102 || status === 103 || status === 204 || status === 304))
    ) {
      return this.#messageComplete(false);
    }
    if ((flags & FLAGS.CHUNKED) !== 0) {
      this.#state = S.CHUNK_SIZE_START;
    } else if ((flags & FLAGS.TRANSFER_ENCODING) !== 0) {
      const lenientTe = LENIENT_FLAGS.CHUNKED_LENGTH | LENIENT_FLAGS.TRANSFER_ENCODING;
      if (isRequest && (this.#lenient & lenientTe) === 0) {
        // RFC 9112 §6.3: a request whose TE does not end in chunked has no reliable length
        this.#fail(ERROR.INVALID_TRANSFER_ENCODING, 'Request has invalid `Transfer-Encoding`', i);
      }
      this.#readUntilEof();
    } else if ((flags & FLAGS.CONTENT_LENGTH) === 0) {
      if (!this.#needsEof()) return this.#messageComplete(false);
      this.#readUntilEof();
    } else if (this.#contentLength === 0) {
      return this.#messageComplete(false);
    } else {
      this.#remaining = this.#contentLength;
      this.#state = S.BODY_IDENTITY;
    }
    return true;
  }

  #readUntilEof(): void {
    this.#finish = Finish.SAFE_WITH_CB;
    this.#state = S.BODY_IDENTITY_EOF;
  }

  /** #chunked runs the chunk-size, extension and chunk-data framing states. */
  #chunked(data: Bytes, i: number, end: number): number {
    const c = data[i]!;
    switch (this.#state) {
      case S.CHUNK_SIZE_START: {
        const d = HEX[c]!;
        if (d < 0) this.#fail(ERROR.INVALID_CHUNK_SIZE, 'Invalid character in chunk size', i);
        this.#remaining = d;
        this.#chunkDigits = d > 0 ? 1 : 0;
        this.#state = S.CHUNK_SIZE;
        return i + 1;
      }
      case S.CHUNK_SIZE: {
        const d = HEX[c]!;
        if (d >= 0) {
          if (this.#remaining > 0 || d > 0) {
            // unsigned 64-bit, as llhttp's content_length
            if (++this.#chunkDigits > 16) {
              this.#fail(ERROR.INVALID_CHUNK_SIZE, 'Chunk size overflow', i + 1);
            }
          }
          this.#remaining = this.#remaining * 16 + d;
          return i + 1;
        }
        return this.#chunkSizeOtherwise(c, i);
      }
      case S.CHUNK_SIZE_OTHERWISE:
        return this.#chunkSizeOtherwise(c, i);
      case S.CHUNK_EXTENSIONS:
        if (c === SP || c === CR) {
          this.#fail(ERROR.STRICT, 'Invalid character in chunk extensions', i + 1);
        }
        this.#spanStart = i;
        this.#state = S.CHUNK_EXTENSION_NAME;
        return i;
      case S.CHUNK_EXTENSION_NAME: {
        while (i < end && TOKEN[data[i]!] === 1) i++;
        if (i >= end) return i;
        const b = data[i]!;
        if (b !== 0x3d && b !== 0x3b && b !== CR && b !== LF) {
          this.#fail(ERROR.STRICT, 'Invalid character in chunk extensions name', i + 1);
        }
        const name = this.#endSpan(data, i);
        this.#cb.onChunkExtensionName?.(name);
        if (b === 0x3d) {
          this.#spanStart = i + 1;
          this.#state = S.CHUNK_EXTENSION_VALUE;
          return this.#paused ? ~(i + 1) : i + 1;
        }
        return this.#afterExtension(b, i, 'Missing expected CR after chunk extension name');
      }
      case S.CHUNK_EXTENSION_VALUE: {
        while (i < end && TOKEN[data[i]!] === 1) i++;
        if (i >= end) return i;
        const b = data[i]!;
        if (b === 0x22) {
          this.#state = S.CHUNK_EXTENSION_QUOTED_VALUE;
          return i + 1;
        }
        if (b !== 0x3b && b !== CR && b !== LF) {
          this.#fail(ERROR.STRICT, 'Invalid character in chunk extensions value', i + 1);
        }
        this.#cb.onChunkExtensionValue?.(this.#endSpan(data, i));
        return this.#afterExtension(b, i, 'Missing expected CR after chunk extension value');
      }
      case S.CHUNK_EXTENSION_QUOTED_VALUE: {
        while (i < end && QDTEXT[data[i]!] === 1) i++;
        if (i >= end) return i;
        const b = data[i]!;
        if (b === 0x22) {
          this.#state = S.CHUNK_EXTENSION_QUOTED_VALUE_DONE;
          this.#cb.onChunkExtensionValue?.(this.#endSpan(data, i + 1));
          return this.#paused ? ~(i + 1) : i + 1;
        }
        if (b !== 0x5c) {
          this.#fail(ERROR.STRICT, 'Invalid character in chunk extensions quoted value', i + 1);
        }
        this.#state = S.CHUNK_EXTENSION_QUOTED_VALUE_QUOTED_PAIR;
        return i + 1;
      }
      case S.CHUNK_EXTENSION_QUOTED_VALUE_QUOTED_PAIR:
        if (QUOTED_PAIR[c] !== 1) {
          this.#fail(ERROR.STRICT, 'Invalid quoted-pair in chunk extensions quoted value', i + 1);
        }
        this.#state = S.CHUNK_EXTENSION_QUOTED_VALUE;
        return i + 1;
      case S.CHUNK_EXTENSION_QUOTED_VALUE_DONE:
        if (c !== 0x3b && c !== CR && c !== LF) {
          this.#fail(ERROR.STRICT, 'Invalid character in chunk extensions quote value', i);
        }
        return this.#afterExtension(c, i, 'Missing expected CR after chunk extension value');
      case S.CHUNK_SIZE_ALMOST_DONE:
        if (c === LF) return this.#chunkHeader(i + 1);
        if (this.#hasLenient(LENIENT_FLAGS.OPTIONAL_LF_AFTER_CR)) return this.#chunkHeader(i);
        return this.#fail(ERROR.STRICT, 'Expected LF after chunk size', i);
      case S.CHUNK_DATA_ALMOST_DONE:
        if (c === CR) {
          this.#state = S.CHUNK_DATA_ALMOST_DONE_LF;
          return i + 1;
        }
        if (c === LF) {
          if (!this.#hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
            this.#fail(ERROR.CR_EXPECTED, 'Missing expected CR after chunk data', i + 1);
          }
          return this.#chunkComplete(i + 1);
        }
        return this.#missingChunkCrlf(i);
      default: // S.CHUNK_DATA_ALMOST_DONE_LF
        if (c === LF) return this.#chunkComplete(i + 1);
        return this.#missingChunkCrlf(i);
    }
  }

  #chunkSizeOtherwise(c: number, i: number): number {
    if (c === CR) {
      this.#state = S.CHUNK_SIZE_ALMOST_DONE;
      return i + 1;
    }
    if (c === 0x3b) {
      this.#state = S.CHUNK_EXTENSIONS;
      return i + 1;
    }
    if (c === LF) {
      if (!this.#hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
        this.#fail(ERROR.CR_EXPECTED, 'Missing expected CR after chunk size', i + 1);
      }
      this.#state = S.CHUNK_SIZE_ALMOST_DONE;
      return i + 1;
    }
    if ((c === SP || c === HTAB) && this.#hasLenient(LENIENT_FLAGS.SPACES_AFTER_CHUNK_SIZE)) {
      this.#state = S.CHUNK_SIZE_OTHERWISE;
      return i + 1;
    }
    const consumed = c === SP || c === HTAB;
    return this.#fail(
      ERROR.INVALID_CHUNK_SIZE,
      'Invalid character in chunk size',
      consumed ? i + 1 : i,
    );
  }

  /** #afterExtension: `;`, CR or LF after an extension name or value. */
  #afterExtension(b: number, i: number, lfReason: string): number {
    let next: number;
    if (b === 0x3b) {
      this.#state = S.CHUNK_EXTENSIONS;
      next = i + 1;
    } else if (b === CR) {
      this.#state = S.CHUNK_SIZE_ALMOST_DONE;
      next = i + 1;
    } else {
      if (!this.#hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
        this.#fail(ERROR.CR_EXPECTED, lfReason, i);
      }
      this.#state = S.CHUNK_SIZE_ALMOST_DONE;
      next = i;
    }
    return this.#paused ? ~next : next;
  }

  #missingChunkCrlf(i: number): number {
    if (this.#hasLenient(LENIENT_FLAGS.OPTIONAL_CRLF_AFTER_CHUNK)) return this.#chunkComplete(i);
    return this.#fail(ERROR.STRICT, 'Expected LF after chunk data', i);
  }

  /** #chunkHeader: a chunk-size line is complete; size 0 starts the trailers. */
  #chunkHeader(i: number): number {
    const size = this.#remaining;
    if (size === 0) {
      this.#flags |= FLAGS.TRAILING;
      this.#inHead = true;
      this.#headLimit = this.#base + i + this.#maxHeaderBytes;
      this.#state = S.HEADER_FIELD_START;
    } else {
      this.#state = S.CHUNK_DATA;
    }
    this.#cb.onChunkHeader?.(size);
    return this.#paused ? ~i : i;
  }

  #chunkComplete(i: number): number {
    this.#state = S.CHUNK_SIZE_START;
    this.#cb.onChunkComplete?.();
    return this.#paused ? ~i : i;
  }

  /**
   * #messageComplete calls onMessageComplete; with `upgrade` the parser then
   * stops, the rest of the stream being another protocol. False when paused.
   */
  #messageComplete(upgrade: boolean): boolean {
    if (upgrade) {
      this.#upgraded = true;
    } else {
      this.#state = S.CLEANUP;
    }
    this.#cb.onMessageComplete?.();
    if (upgrade) {
      this.#state = S.CLEANUP;
      return false;
    }
    return !this.#paused;
  }

  /** #cleanup: llhttp's after_message_complete; keep-alive decides what may follow. */
  #cleanup(): void {
    const keepAlive = this.#shouldKeepAlive();
    this.#finish = Finish.SAFE;
    this.#resetMessage();
    if (keepAlive || this.#hasLenient(LENIENT_FLAGS.KEEP_ALIVE)) {
      this.#initialMessageCompleted = true;
      this.#state = S.START;
    } else {
      this.#state = S.CLOSED;
    }
  }

  #resetMessage(): void {
    this.#flags = 0;
    this.#headerState = HS.GENERAL;
    this.#contentLength = 0;
    this.#remaining = 0;
    this.#upgrade = false;
    this.#method = '';
    this.#methodNumber = -1;
    this.#url = '';
    this.#statusText = '';
    this.#status = 0;
    this.#major = 0;
    this.#minor = 0;
    this.#headers = [];
    this.#trailers = EMPTY_HEADERS;
    this.#value = '';
  }

  /** #needsEof: llhttp_message_needs_eof — the body ends when the connection does. */
  #needsEof(): boolean {
    if (this.#isRequest) return false;
    const status = this.#status;
    const flags = this.#flags;
    if ((status >= 100 && status <= 199) || status === 204 || status === 304) return false;
    if ((flags & FLAGS.SKIPBODY) !== 0) return false;
    if ((flags & FLAGS.TRANSFER_ENCODING) !== 0 && (flags & FLAGS.CHUNKED) === 0) return true;
    return (flags & (FLAGS.CHUNKED | FLAGS.CONTENT_LENGTH)) === 0;
  }

  /** #shouldKeepAlive: llhttp_should_keep_alive for the current message. */
  #shouldKeepAlive(): boolean {
    if (this.#major > 0 && this.#minor > 0) {
      if ((this.#flags & FLAGS.CONNECTION_CLOSE) !== 0) return false;
    } else if ((this.#flags & FLAGS.CONNECTION_KEEP_ALIVE) === 0) {
      return false;
    }
    return !this.#needsEof();
  }
}

/** trimEnd drops trailing SP and HTAB (and only those, unlike String#trimEnd). */
function trimEnd(value: string): string {
  let e = value.length;
  while (e > 0) {
    const c = value.charCodeAt(e - 1);
    if (c !== SP && c !== HTAB) break;
    e--;
  }
  return e === value.length ? value : value.slice(0, e);
}
