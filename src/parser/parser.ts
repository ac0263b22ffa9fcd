/**
 * Parser: an incremental HTTP/1.1 parser with llhttp 9's semantics, as a
 * byte-level state machine over Buffers. States carry llhttp's node names;
 * spans (method, target, status text, header names and values) are sliced
 * and decoded once; a span cut by a chunk boundary is carried over as text.
 * A head that arrives whole in one chunk takes a fast path (fast-head.ts)
 * with the same results; everything else runs the states one by one.
 */
import { ERROR, LENIENT_FLAGS } from './constants.js';
import { afterHeadersComplete, cleanup, messageComplete } from './body-framing.js';
import { Byte, type Bytes } from './bytes.js';
import { chunked } from './chunked.js';
import { fastHead } from './fast-head.js';
import { headerLine } from './header-line.js';
import { Finish, ParserState, S } from './parser-state.js';
import { startLine } from './start-line.js';
import type { ParserCallbacks, ParserKind, ParserOptions } from './types.js';
import { ParseError } from '../errors.js';

/** Parser reads HTTP/1.1 requests or responses from a byte stream, with llhttp's rules. */
export class Parser {
  readonly #p: ParserState;

  /**
   * Creates a parser for `kind` messages. `callbacks` are llhttp's; see
   * ParserCallbacks. `options.lenient` defaults to 0 (strict),
   * `options.maxHeaderBytes` to 65536.
   */
  constructor(kind: ParserKind, callbacks: ParserCallbacks = {}, options: ParserOptions = {}) {
    if (kind !== 'request' && kind !== 'response') {
      throw new TypeError(`parser kind must be 'request' or 'response', got ${String(kind)}`);
    }
    this.#p = new ParserState(kind, callbacks, options);
  }

  /**
   * True once parsing stopped after a message that switched protocols, or
   * after any 101 response (whatever its `upgrade` says, as llhttp): `execute()`
   * consumes nothing more until reset.
   */
  get upgraded(): boolean {
    return this.#p.upgraded;
  }

  /** True while paused by `pause()`. */
  get paused(): boolean {
    return this.#p.paused;
  }

  /** The stream offset of the next byte to parse. */
  get offset(): number {
    return this.#p.base;
  }

  /**
   * The largest head (and trailer section) in bytes; may be changed between
   * messages of a response parser (a client counts interim responses
   * against the final head's limit, as Go 1.24).
   */
  get maxHeaderBytes(): number {
    return this.#p.maxHeaderBytes;
  }

  set maxHeaderBytes(bytes: number) {
    this.#p.maxHeaderBytes = bytes;
  }

  /** The lenient flags in force; may be changed between messages. */
  get lenient(): number {
    return this.#p.lenient;
  }

  set lenient(flags: number) {
    this.#p.lenient = flags;
  }

  /**
   * The request method(s) the coming responses answer (responses only). May
   * be changed between messages, e.g. by a client before each `read`.
   */
  set requestMethod(method: string | readonly string[] | undefined) {
    this.#p.requestMethod = method;
    this.#p.responseIndex = 0;
  }

  /** pause stops `execute()` after the current callback; it returns the bytes consumed so far. */
  pause(): void {
    this.#p.paused = true;
  }

  /** resume undoes `pause()`; feed the bytes `execute()` did not consume again. */
  resume(): void {
    this.#p.paused = false;
  }

  /**
   * resumeAfterUpgrade continues parsing HTTP after a message that would
   * upgrade the connection (a server declining an Upgrade), as llhttp's
   * `llhttp_resume_after_upgrade`.
   */
  resumeAfterUpgrade(): void {
    const p = this.#p;
    if (!p.upgraded) return;
    p.upgraded = false;
    p.state = S.CLEANUP;
  }

  /** reset makes the parser new again, keeping its kind, callbacks and options. */
  reset(): void {
    this.#p.resetStream();
  }

  /**
   * execute parses `chunk` and returns the bytes consumed: all of them unless
   * a callback paused the parser or a message switched protocols. Throws a
   * ParseError on bad input; the error is sticky until `reset()`.
   */
  execute(chunk: Uint8Array): number {
    const p = this.#p;
    if (p.error !== null) throw p.error;
    if (p.paused || p.upgraded) return 0;
    const data = (
      Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    ) as Bytes;
    if (p.spanStart !== -1) p.spanStart = 0;
    p.text = '';
    let consumed: number;
    try {
      consumed = run(p, data);
    } catch (err) {
      if (p.error === null) {
        p.error = new ParseError('HPE_USER', 'callback error', p.base);
      }
      throw err;
    } finally {
      p.text = ''; // the caller may reuse the chunk's memory
      p.view = null;
    }
    p.base += consumed;
    return consumed;
  }

  /**
   * finish tells the parser the input ended. It completes a body read until
   * close and throws HPE_INVALID_EOF_STATE when a message is incomplete.
   */
  finish(): void {
    const p = this.#p;
    if (p.error !== null || p.upgraded) return;
    if (p.finish === Finish.SAFE_WITH_CB) {
      p.finish = Finish.SAFE;
      p.state = S.CLOSED;
      p.cb.onMessageComplete?.();
    } else if (p.finish === Finish.UNSAFE) {
      p.error = new ParseError('HPE_INVALID_EOF_STATE', 'Invalid EOF state', p.base);
      throw p.error;
    }
  }
}

/**
 * run is the dispatch loop over one chunk: each pass hands the bytes from
 * `i` to the phase that owns the current state. Returns the bytes consumed.
 */
function run(p: ParserState, data: Bytes): number {
  const len = data.length;
  let i = 0;
  for (;;) {
    let end = len;
    if (p.inHead) {
      const limit = p.headLimit - p.base;
      if (limit < len) {
        if (i >= limit) {
          overflow(p, limit);
          continue; // the request line fit: the headers get the rest of maxHeaderBytes
        }
        end = limit;
      }
    }
    const state = p.state;
    if (i >= end && state !== S.HEADERS_DONE && state !== S.MESSAGE_DONE && state !== S.CLEANUP) {
      break;
    }
    switch (state) {
      case S.START: {
        const c = data[i]!;
        if (c === Byte.CR || c === Byte.LF) {
          i++;
          break;
        }
        if (!beginMessage(p, i)) return i;
        if (p.lenient === 0) {
          i = fastHead(p, data, i);
          if (i < 0) return ~i; // paused: see pausedAt
        }
        break;
      }
      case S.REQ_METHOD:
      case S.URL_START:
      case S.URL_SCHEMA:
      case S.URL_SCHEMA_DELIM:
      case S.URL_SERVER:
      case S.URL_PATH:
      case S.URL_CR:
      case S.URL_TO_HTTP09:
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
        i = startLine(p, data, i, end);
        break;
      case S.HEADERS_DONE:
        if (!afterHeadersComplete(p, i)) return i;
        break;
      case S.BODY_IDENTITY:
      case S.CHUNK_DATA: {
        const n = Math.min(p.remaining, len - i);
        p.remaining -= n;
        if (p.remaining === 0) {
          p.state = state === S.BODY_IDENTITY ? S.MESSAGE_DONE : S.CHUNK_DATA_ALMOST_DONE;
        }
        p.cb.onBody?.(data.subarray(i, i + n));
        i += n;
        if (p.paused) return i;
        break;
      }
      case S.BODY_IDENTITY_EOF:
        p.cb.onBody?.(data.subarray(i, len));
        i = len;
        if (p.paused) return i;
        break;
      case S.MESSAGE_DONE:
        if (!messageComplete(p, p.upgrade)) return i;
        break;
      case S.CLEANUP:
        cleanup(p);
        break;
      case S.CLOSED: {
        const c = data[i]!;
        if (c !== Byte.CR && c !== Byte.LF && !p.hasLenient(LENIENT_FLAGS.DATA_AFTER_CLOSE)) {
          p.fail(ERROR.CLOSED_CONNECTION, 'Data after `Connection: close`', i + 1);
        }
        i++;
        break;
      }
      default:
        if (state < S.HEADERS_DONE) i = headerLine(p, data, i, end);
        else i = chunked(p, data, i, end);
        if (i < 0) return ~i; // paused: see pausedAt
    }
    if (p.upgraded) return i;
  }
  if (p.spanStart !== -1) {
    p.spanText += data.latin1Slice(p.spanStart, len);
    p.spanStart = 0;
  }
  return i;
}

/** beginMessage starts a message at `i`; false when a callback paused. */
function beginMessage(p: ParserState, i: number): boolean {
  if (p.initialMessageCompleted) {
    p.cb.onReset?.();
  }
  p.finish = Finish.UNSAFE;
  p.inHead = true;
  p.headLimit = p.base + i + p.maxHeaderBytes - p.lineSlack;
  p.lineLimited = p.lineSlack > 0;
  p.spanStart = p.isRequest ? i : -1;
  p.state = p.isRequest ? S.REQ_METHOD : S.PROTOCOL;
  p.literal = '';
  p.cb.onMessageBegin?.();
  return !p.paused;
}

/**
 * overflow: the bytes reached `p.headLimit` at index `limit` of the chunk.
 * It throws the error of the limit reached; but when a request line held
 * to maxRequestLineBytes has ended, it lifts the limit to maxHeaderBytes
 * for the header lines and returns.
 */
function overflow(p: ParserState, limit: number): void {
  const state = p.state;
  if (p.lineLimited) {
    if (state < S.HEADERS_START) {
      p.fail(ERROR.REQUEST_LINE_OVERFLOW, 'Request line overflow', limit);
    }
    p.lineLimited = false;
    p.headLimit += p.lineSlack;
    return;
  }
  if (state >= S.CHUNK_EXTENSIONS && state <= S.CHUNK_EXTENSION_QUOTED_VALUE_DONE) {
    p.fail(ERROR.CHUNK_EXTENSIONS_OVERFLOW, 'Chunk extensions overflow', limit);
  }
  p.fail(ERROR.HEADER_OVERFLOW, 'Header overflow', limit);
}
