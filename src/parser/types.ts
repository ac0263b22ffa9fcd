import type { ParseError } from '../errors.js';

/** ParserKind: which side of the exchange a parser reads. */
export type ParserKind = 'request' | 'response';

/** HeaderPair: one header or trailer line, `[name, value]`, latin1, value trimmed of SP/HTAB. */
export type HeaderPair = [name: string, value: string];

/**
 * MessageHead is what `onHeadersComplete` receives: the start line and the
 * header block of one message. Requests have `status`/`statusText` null,
 * responses have `method`/`url` null.
 */
export interface MessageHead {
  method: string | null;
  url: string | null;
  status: number | null;
  statusText: string | null;
  versionMajor: number;
  versionMinor: number;
  /** Header lines in wire order, names in their original case. */
  headers: HeaderPair[];
  /**
   * True when the connection switches protocol after this message (llhttp's
   * `upgrade`): a request with `Upgrade` and `Connection: upgrade`, or a
   * CONNECT; a 101 with both fields, or a 2xx to CONNECT. A 101 without them
   * reports false, yet parsing stops after any 101 (see `Parser.upgraded`).
   */
  upgrade: boolean;
  /** llhttp's `llhttp_should_keep_alive()` for this message. */
  shouldKeepAlive: boolean;
  /** The Content-Length value, or -1 when the message has none. */
  contentLength: number;
  /** True when the body is chunked (Transfer-Encoding ending in `chunked`). */
  chunked: boolean;
}

/**
 * ParserCallbacks: llhttp's callbacks, all optional. A callback may call
 * `parser.pause()`; `execute()` then returns early with the bytes consumed.
 * An exception thrown by a callback propagates out of `execute()` unchanged.
 */
export interface ParserCallbacks {
  /** A new message starts. */
  onMessageBegin?(): void;
  /**
   * The head is complete. Return 1 to say the message has no body (a response
   * to HEAD), 2 to say it has no body and upgrades the connection (a 2xx to
   * CONNECT), anything else to frame the body from the headers, as in llhttp.
   */
  onHeadersComplete?(head: MessageHead): unknown;
  /**
   * A piece of the body (de-chunked). The view aliases the chunk given to
   * `execute()`: copy it if that buffer is reused.
   */
  onBody?(chunk: Uint8Array): void;
  /** A chunk-size line was read; `size` is 0 for the last chunk. */
  onChunkHeader?(size: number): void;
  /** A chunk extension name (`;name`), latin1. */
  onChunkExtensionName?(name: string): void;
  /** A chunk extension value (`=value`), latin1, quotes kept as on the wire. */
  onChunkExtensionValue?(value: string): void;
  /** A chunk's data and its CRLF were read (also called after the trailers). */
  onChunkComplete?(): void;
  /** The trailer section of a chunked message, when it has any lines. */
  onTrailers?(trailers: HeaderPair[]): void;
  /** The message is complete. */
  onMessageComplete?(): void;
  /** The parser starts a further message on the same stream (llhttp's `on_reset`). */
  onReset?(): void;
}

/** ParserOptions: everything is optional; the default parser is strict. */
export interface ParserOptions {
  /** A bit set of `LENIENT_FLAGS`; default 0 (strict). */
  lenient?: number;
  /** Largest head (start line + headers), and largest trailer section, in bytes; default 65536. */
  maxHeaderBytes?: number;
  /**
   * Requests only: largest request line, CRLF included, in bytes
   * (`HPE_REQUEST_LINE_OVERFLOW` beyond, at the first byte over). Default
   * none: the request line only counts towards `maxHeaderBytes`, as in llhttp.
   */
  maxRequestLineBytes?: number;
  /**
   * Most header fields in a head, and separately trailer fields in a
   * trailer section (`HPE_HEADER_OVERFLOW` beyond, checked at the end of
   * the section). Default none.
   */
  maxHeaderCount?: number;
  /**
   * Most chunk extension bytes in one message, counted from each `;` after
   * a chunk size to the end of its line (`HPE_CHUNK_EXTENSIONS_OVERFLOW`
   * beyond, at the first byte over). Default none.
   */
  maxChunkExtensionBytes?: number;
  /**
   * Responses only: the method of the request each response answers. A string
   * applies to every response; an array gives one per final response, in
   * order (1xx interim responses other than 101 do not use up an entry).
   * `HEAD` responses have no body; a 2xx to `CONNECT` upgrades.
   */
  requestMethod?: string | readonly string[];
}

/** ParsedMessage: one complete message as `parseMessages()` returns it. */
export interface ParsedMessage {
  method: string | null;
  url: string | null;
  status: number | null;
  statusText: string | null;
  versionMajor: number;
  versionMinor: number;
  headers: HeaderPair[];
  /** The whole body, de-chunked. */
  body: Uint8Array;
  trailers: HeaderPair[];
  upgrade: boolean;
  shouldKeepAlive: boolean;
}

/** ParseResult: what `parseMessages()` returns. */
export interface ParseResult {
  /** Every message completed before parsing stopped. */
  messages: ParsedMessage[];
  /** The error that stopped parsing, or null. */
  error: ParseError | null;
  /**
   * Bytes of the input consumed: after an upgrade, where the tunnel bytes
   * begin; after an error, the stream offset of the error; else the input length.
   */
  consumed: number;
}
