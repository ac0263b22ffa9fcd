import { ErrBodyDiscarded, ErrClosed, ErrPersistEOF, ProtocolError } from '../errors.js';
import { ConnTimer } from '../io/conn-timer.js';
import { type Deferred, deferred } from '../io/deferred.js';
import type { SocketReader } from '../io/socket-reader.js';
import { Parser } from '../parser/parser.js';
import type { HeaderPair, MessageHead, ParserKind } from '../parser/types.js';
import { DEFAULT_MAX_HEADER_BYTES, parserLimits } from './parser-limits.js';
import { Body } from './body.js';

/** MessageReaderOptions: parser limits and the body buffer size; docs/limits.md lists every limit. */
export interface MessageReaderOptions {
  /** Largest head (and trailer section) in bytes; default 65536 (HPE_HEADER_OVERFLOW beyond). */
  maxHeaderBytes?: number;
  /** Most header fields in a head, and trailer fields in a trailer section; default 256 (HPE_HEADER_OVERFLOW beyond). */
  maxHeaderCount?: number;
  /** Largest request line, CRLF included (requests only); default 8192 (HPE_REQUEST_LINE_OVERFLOW beyond). */
  maxRequestLineBytes?: number;
  /** Most chunk extension bytes in one message; default 16384 (HPE_CHUNK_EXTENSIONS_OVERFLOW beyond). */
  maxChunkExtensionBytes?: number;
  /**
   * Largest body in bytes (after de-chunking); default null, no limit.
   * Beyond it the body, and the read side, fail with a ProtocolError
   * `ERR_BODY_TOO_LARGE`; a request whose Content-Length says more fails
   * so right after its head.
   */
  maxBodyBytes?: number | null;
  /** llhttp lenient flags (`LENIENT_FLAGS`); default 0, strict. */
  lenient?: number;
  /** Body bytes buffered before the socket stops being read; default 65536. */
  bodyHighWaterMark?: number;
  /** Called when the first byte of each message is parsed (a server starts its header timeout then). */
  onMessageBegin?: () => void;
  /**
   * Milliseconds of silence allowed while a response, or the rest of a
   * started request, is awaited (not between messages, nor while a full
   * body waits for its reader); each byte restarts it. Past it reads fail
   * with `ERR_READ_TIMEOUT`. Default 0, no limit.
   */
  readTimeout?: number;
}

/** IncomingMessage: a head and the body that streams after it. */
export interface IncomingMessage {
  head: MessageHead;
  body: Body;
}

const enum Phase {
  /** Between messages: nothing is parsed; bytes wait in the socket reader. */
  IDLE,
  /** A caller waits for the next head. */
  HEAD,
  /** The current body streams to its consumer. */
  BODY,
  /** The current body is read to its end and thrown away. */
  DRAIN,
}

/**
 * MessageReader reads HTTP messages one at a time from a SocketReader: it
 * feeds bytes to the parser only while somebody wants them (a caller waiting
 * for a head, a body with room in its buffer, a drain) and stops the parser
 * at each message boundary, so bytes of later messages — and tunnel bytes
 * after an upgrade — stay unconsumed in the socket reader for `hijack()`.
 * Read errors are sticky.
 */
export class MessageReader {
  readonly #reader: SocketReader;
  readonly #parser: Parser;
  readonly #bodyHighWaterMark: number;
  readonly #maxBodyBytes: number;
  readonly #isRequest: boolean;
  readonly #beginHook: (() => void) | undefined;
  #phase = Phase.IDLE;
  #error: Error | null = null; // sticky
  #pumping = false;
  #body: Body | null = null; // the current message's body until it completes
  #lastBody: Body | null = null; // the latest body, discarded by next() if nobody claimed it
  #bodyFull = false; // the body asked the producer to pause
  #bodyBytes = 0; // body bytes of the current message so far, against #maxBodyBytes
  #trailers: HeaderPair[] | undefined;
  #started = false; // a byte of the current message has been parsed
  #stoppedAtEnd = false; // the parser paused right at the end of a chunk
  #waitHead: Deferred<IncomingMessage> | null = null;
  #waitDone: Deferred<void> | null = null; // the current message's end, for a drain
  readonly #maxHeaderBytes: number;
  #messageStart = 0; // stream offset where the current (or last) message began
  readonly #readTimeout: number;
  readonly #silence = new ConnTimer(); // armed while bytes are awaited from the peer (readTimeout)
  /** Called after a read timeout failed the reader, for the connection to close its socket. */
  onReadTimeout: ((err: Error) => void) | null = null;

  constructor(reader: SocketReader, kind: ParserKind, options: MessageReaderOptions = {}) {
    this.#reader = reader;
    this.#bodyHighWaterMark = options.bodyHighWaterMark ?? 65536;
    this.#maxBodyBytes = options.maxBodyBytes ?? Infinity;
    this.#isRequest = kind === 'request';
    this.#beginHook = options.onMessageBegin;
    this.#maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.#readTimeout = options.readTimeout ?? 0;
    this.#parser = new Parser(
      kind,
      this, // its callbacks are the methods below: no closures per connection
      parserLimits(options),
    );
    reader.onReadable = () => this.#pump();
  }

  /** Parser callback (ParserCallbacks): the first byte of a message. */
  onMessageBegin(): void {
    this.#started = true;
    this.#messageStart = this.#parser.offset; // exact: execute() starts at each message boundary
    this.#beginHook?.();
  }

  /** Parser callback: a head is complete. */
  onHeadersComplete(head: MessageHead): void {
    this.#parser.maxHeaderBytes = this.#maxHeaderBytes; // the trailer section gets the full limit
    this.#onHead(head);
  }

  /** Parser callback: body bytes, handed to the current body (or counted against the limit). */
  onBody(chunk: Uint8Array): void {
    this.#bodyBytes += chunk.length;
    if (this.#bodyBytes > this.#maxBodyBytes) {
      this.#bodyTooLarge();
      return;
    }
    const body = this.#body;
    if (this.#phase === Phase.BODY && body !== null && !body.push(chunk)) {
      this.#bodyFull = true;
      this.#parser.pause();
    }
  }

  /** Parser callback: the trailer fields, kept for the body's end. */
  onTrailers(trailers: HeaderPair[]): void {
    this.#trailers = trailers;
  }

  /** Parser callback: the end of a message. */
  onMessageComplete(): void {
    this.#onMessageComplete();
  }

  /** True when part of a message has been read and its end not yet reached. */
  get inMessage(): boolean {
    return this.#started;
  }

  /** True once a message switched protocols; the rest of the stream is not HTTP. */
  get upgraded(): boolean {
    return this.#parser.upgraded;
  }

  /** The stream offset where the latest message began. */
  get messageStart(): number {
    return this.#messageStart;
  }
  /** The stream offset of the next byte to parse: after a message has ended, where it ended. */
  get offset(): number {
    return this.#parser.offset;
  }

  /** The sticky read error, if any. */
  get error(): Error | null {
    return this.#error;
  }

  /**
   * next resolves with the next message's head and its streaming body. A
   * previous body not yet consumed is read to its end and discarded first
   * (its consumer, if it reads later, gets an ERR_BODY_DISCARDED error); a
   * body being consumed is waited for. For responses, `requestMethod` is the
   * method of the request answered (HEAD and CONNECT change the framing).
   * A clean end of input between messages rejects with ErrPersistEOF.
   * `headBytesUsed` (interim heads before this one) is taken off this
   * head's `maxHeaderBytes`.
   */
  next(requestMethod?: string, headBytesUsed = 0): Promise<IncomingMessage> {
    const finishing = this.#finishCurrent();
    if (finishing !== undefined) {
      return finishing.then(() => this.#nextHead(requestMethod, headBytesUsed));
    }
    return this.#nextHead(requestMethod, headBytesUsed);
  }

  /** #nextHead starts parsing the next head once the previous message is done with. */
  #nextHead(requestMethod: string | undefined, headBytesUsed: number): Promise<IncomingMessage> {
    if (this.#error !== null) return Promise.reject(this.#error);
    if (this.#parser.upgraded) this.#parser.resumeAfterUpgrade();
    if (requestMethod !== undefined) this.#parser.requestMethod = requestMethod;
    if (headBytesUsed > 0)
      this.#parser.maxHeaderBytes = Math.max(0, this.#maxHeaderBytes - headBytesUsed);
    this.#phase = Phase.HEAD;
    this.#waitHead = deferred();
    const wait = this.#waitHead.promise;
    this.#pump();
    return wait;
  }

  /** cancelHead rejects the wait for a head not begun with `err`, consuming nothing; else it returns false. */
  cancelHead(err: Error): boolean {
    if (this.#phase !== Phase.HEAD || this.#started || this.#error !== null) return false;
    const wait = this.#waitHead;
    this.#waitHead = null;
    this.#phase = Phase.IDLE;
    this.#silence.stop();
    wait?.reject(err);
    return true;
  }

  /** drain reads the current body (if any) to its end and discards it. */
  async drain(): Promise<void> {
    await this.#finishCurrent(true);
    if (this.#error !== null) throw this.#error;
  }

  /** close fails whatever waits with ErrClosed and stops reading for good. */
  close(): void {
    this.#fail(ErrClosed);
    this.#silence.dispose();
    this.#reader.onReadable = noop;
  }

  /** #finishCurrent ends the current body; undefined when there is nothing to wait for (the common case). */
  #finishCurrent(discardClaimed = false): Promise<void> | undefined {
    const last = this.#lastBody;
    this.#lastBody = null;
    // An unclaimed body that ended empty holds nothing to drain: it stays readable.
    if (last !== null && last !== this.#body && !last.consumed && last.length !== 0) {
      last.discard(ErrBodyDiscarded);
    }
    const body = this.#body;
    if (this.#error !== null || (this.#phase !== Phase.BODY && this.#phase !== Phase.DRAIN)) return;
    if (body !== null && (discardClaimed || !body.consumed)) {
      body.discard(ErrBodyDiscarded);
    }
    if (body === null || !body.consumed || discardClaimed) {
      this.#phase = Phase.DRAIN;
      this.#bodyFull = false;
    }
    this.#waitDone ??= deferred();
    const done = this.#waitDone.promise;
    this.#pump();
    return done;
  }

  #onHead(head: MessageHead): void {
    const body = new Body({ highWaterMark: this.#bodyHighWaterMark });
    body.onDrain = () => {
      this.#bodyFull = false;
      this.#pump();
    };
    this.#body = body;
    this.#lastBody = body;
    this.#bodyFull = false;
    this.#bodyBytes = 0;
    this.#trailers = undefined;
    this.#phase = Phase.BODY;
    const wait = this.#waitHead;
    this.#waitHead = null;
    wait?.resolve({ head, body });
    // A request's Content-Length always frames its body (a response's may not: HEAD, 304).
    if (this.#isRequest && head.contentLength > this.#maxBodyBytes) this.#bodyTooLarge();
  }

  /** #bodyTooLarge fails the body and the read side: the body outgrew maxBodyBytes. */
  #bodyTooLarge(): void {
    this.#parser.pause();
    this.#fail(
      new ProtocolError('ERR_BODY_TOO_LARGE', `body larger than ${this.#maxBodyBytes} bytes`),
    );
  }

  #onMessageComplete(): void {
    this.#body?.end(this.#trailers);
    this.#body = null;
    this.#trailers = undefined;
    this.#started = false;
    this.#phase = Phase.IDLE;
    this.#parser.pause(); // stop at the boundary: the next message's bytes stay queued
    const done = this.#waitDone;
    this.#waitDone = null;
    done?.resolve();
  }

  #wantsBytes(): boolean {
    const phase = this.#phase;
    return (
      phase === Phase.HEAD || phase === Phase.DRAIN || (phase === Phase.BODY && !this.#bodyFull)
    );
  }

  #pump(): void {
    if (this.#pumping || this.#error !== null) return;
    this.#pumping = true;
    const reader = this.#reader;
    const parser = this.#parser;
    const before = parser.offset;
    try {
      while (this.#wantsBytes() && !parser.upgraded) {
        let chunk = reader.peek();
        if (chunk === undefined && this.#stoppedAtEnd) {
          // The parser paused on the chunk's last byte: let it finish the states that need no byte.
          chunk = EMPTY;
        }
        if (chunk === undefined) {
          if (reader.error !== null) this.#fail(reader.error);
          else if (reader.ended) this.#endOfInput();
          break;
        }
        let consumed: number;
        try {
          consumed = parser.execute(chunk);
        } catch (err) {
          this.#fail(err as Error);
          break;
        }
        if (chunk.length > 0) reader.consume(consumed);
        this.#stoppedAtEnd = parser.paused && consumed === chunk.length;
        if (parser.paused) parser.resume();
      }
    } finally {
      this.#pumping = false;
    }
    if (this.#readTimeout > 0) this.#watchSilence(parser.offset !== before);
  }

  /**
   * #watchSilence arms the read timeout while bytes are awaited from the
   * peer (a response head, or the rest of a started message), restarting
   * it when bytes arrived; otherwise it disarms it.
   */
  #watchSilence(progress: boolean): void {
    const awaited =
      this.#error === null &&
      this.#wantsBytes() &&
      !this.#parser.upgraded &&
      (this.#started || (!this.#isRequest && this.#phase === Phase.HEAD));
    if (!awaited) this.#silence.stop();
    else if (progress || !this.#silence.armed)
      this.#silence.start(this.#readTimeout, this.#onSilence);
  }

  readonly #onSilence = (): void => {
    const err = new ProtocolError('ERR_READ_TIMEOUT', `peer silent for ${this.#readTimeout} ms`);
    this.#fail(err);
    this.onReadTimeout?.(err);
  };

  #endOfInput(): void {
    if (!this.#started) {
      // Between messages (the parser may be paused before its cleanup): a clean close.
      if (this.#phase === Phase.HEAD) this.#fail(ErrPersistEOF);
      return;
    }
    try {
      this.#parser.finish(); // completes a body read until close, or throws mid-message
    } catch (err) {
      this.#fail(err as Error);
      return;
    }
    if (this.#phase === Phase.HEAD) this.#fail(ErrPersistEOF);
  }

  #fail(err: Error): void {
    if (this.#error !== null) return;
    this.#error = err;
    this.#silence.dispose();
    this.#body?.fail(err);
    this.#body = null;
    this.#phase = Phase.IDLE;
    const head = this.#waitHead;
    const done = this.#waitDone;
    this.#waitHead = this.#waitDone = null;
    head?.reject(err);
    done?.reject(err);
  }
}

const EMPTY = Buffer.alloc(0);

function noop(): void {}
