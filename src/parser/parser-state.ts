/**
 * ParserState: every per-parser field, as plain public fields (the fastest
 * shape for V8), shared by the phase modules (start-line, header-line,
 * body-framing, chunked, fast-head). Internal: not exported from index.ts;
 * `Parser` owns one and never hands it out.
 */
import { ParseError } from '../errors.js';
import type { Bytes } from './bytes.js';
import { errorName } from './error-names.js';
import { HEADER_STATE as HS, ValueOutcome } from './field-semantics.js';
import type { HeaderPair, ParserCallbacks, ParserKind, ParserOptions } from './types.js';

/** S: the parser's states, named after llhttp's nodes. */
export const enum S {
  START,
  REQ_METHOD,
  REQ_SPACES_BEFORE_URL,
  URL_START,
  URL_SCHEMA,
  URL_SCHEMA_DELIM,
  URL_SERVER,
  URL_PATH,
  URL_CR,
  URL_TO_HTTP09,
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

/** Finish: llhttp's `finish` field, what end of input means in the current state. */
export const enum Finish {
  SAFE,
  SAFE_WITH_CB,
  UNSAFE,
}

const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;

/** EMPTY_HEADERS: the shared empty trailer list of a message that has none yet. */
export const EMPTY_HEADERS: HeaderPair[] = [];

/** ParserState holds one parser's fields; the phase modules read and write them directly. */
export class ParserState {
  readonly isRequest: boolean;
  readonly cb: ParserCallbacks;
  lenient: number;
  readonly maxHeaderBytes: number;
  readonly maxHeaderCount: number;
  readonly maxChunkExtensionBytes: number;
  /** Bytes of maxHeaderBytes held back while a request line is read (maxRequestLineBytes), 0 when none. */
  readonly lineSlack: number;
  requestMethod: string | readonly string[] | undefined;
  responseIndex = 0; // final responses seen, for an array `requestMethod`

  state = S.START;
  finish = Finish.SAFE;
  error: ParseError | null = null; // sticky until reset
  paused = false;
  upgraded = false;
  initialMessageCompleted = false;
  base = 0; // stream offset of the current chunk's first byte

  inHead = false; // counting head, trailer or chunk extension bytes against their limit
  headLimit = 0; // stream offset where the head, trailers or chunk extensions overflow
  lineLimited = false; // headLimit is the request line's, lifted by lineSlack once the line is read
  extensionStart = 0; // stream offset of the first `;` of the current chunk-size line's extensions
  extensionBytes = 0; // chunk extension bytes of the current message before that line

  spanStart = -1; // index in the current chunk where the open span began, -1 when none
  spanText = ''; // the open span's bytes from earlier chunks
  literal = ''; // expected bytes for PROTOCOL / REQ_PRI_UPGRADE
  literalIndex = 0;

  // The current chunk decoded once for the fast head path (fast-head.ts);
  // `text` holds bytes [textStart, textEnd) of the chunk, '' when none.
  text = '';
  textStart = 0;
  textEnd = 0;
  lastHeadBytes = 0; // size of the last head the fast path read, to size the next window
  view: DataView | null = null; // the current chunk as 32-bit words, for long values

  // The message being parsed (llhttp's per-message fields).
  flags = 0;
  headerState: number = HS.GENERAL;
  method = '';
  methodNumber = -1;
  url = '';
  protocol = '';
  major = 0;
  minor = 0;
  status = 0;
  statusDigits = 0;
  statusText = '';
  upgrade = false;
  contentLength = 0;
  remaining = 0; // body or chunk bytes still to come
  chunkDigits = 0; // significant hex digits of the chunk size
  urlHasAt = false;
  headers: HeaderPair[] = [];
  trailers: HeaderPair[] = EMPTY_HEADERS;
  field = '';
  fieldGeneral = false; // a special name was followed by more token bytes (lenient)
  pendingHeaderState: number = HS.GENERAL;
  value = ''; // header value text of earlier obs-fold lines (lenient)
  valueStart = 0; // stream offset of the current value segment
  readonly outcome = new ValueOutcome();

  constructor(kind: ParserKind, callbacks: ParserCallbacks, options: ParserOptions) {
    this.isRequest = kind === 'request';
    this.cb = callbacks;
    this.lenient = options.lenient ?? 0;
    this.maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.maxHeaderCount = options.maxHeaderCount ?? Infinity;
    this.maxChunkExtensionBytes = options.maxChunkExtensionBytes ?? Infinity;
    const lineBytes = options.maxRequestLineBytes ?? Infinity;
    this.lineSlack =
      this.isRequest && lineBytes < this.maxHeaderBytes ? this.maxHeaderBytes - lineBytes : 0;
    this.requestMethod = options.requestMethod;
  }

  /** fail records the sticky error for the byte at `index` of the current chunk and throws it. */
  fail(code: number, reason: string, index: number, unsupported = false): never {
    this.error = new ParseError(errorName(code), reason, this.base + index, unsupported);
    throw this.error;
  }

  hasLenient(flag: number): boolean {
    return (this.lenient & flag) !== 0;
  }

  /** endSpan closes the open span at `index` and returns its text. */
  endSpan(data: Bytes, index: number): string {
    const start = this.spanStart;
    this.spanStart = -1;
    const text = this.spanText;
    if (text === '') return data.latin1Slice(start, index);
    this.spanText = '';
    return text + data.latin1Slice(start, index);
  }

  /** resetMessage clears the per-message fields before the next message. */
  resetMessage(): void {
    this.flags = 0;
    this.headerState = HS.GENERAL;
    this.contentLength = 0;
    this.remaining = 0;
    this.upgrade = false;
    this.method = '';
    this.methodNumber = -1;
    this.url = '';
    this.statusText = '';
    this.status = 0;
    this.major = 0;
    this.minor = 0;
    this.headers = [];
    this.trailers = EMPTY_HEADERS;
    this.value = '';
  }
}
