/**
 * ProtocolError is the base of every error httpwire throws on purpose. `code`
 * is stable and documented in docs/errors.md; messages are lower-case.
 */
export class ProtocolError extends Error {
  /** A stable, documented code such as `ERR_PERSIST_EOF` or `HPE_INVALID_METHOD`. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

/**
 * ParseError is thrown by the parser. `code` is llhttp's error name
 * (`HPE_INVALID_METHOD`, ...), `reason` llhttp's short explanation and
 * `offset` the stream offset where llhttp reports the error (bytes since the
 * parser was created or reset, so it does not depend on chunking).
 */
export class ParseError extends ProtocolError {
  /** llhttp's short explanation, e.g. `Invalid method encountered`. */
  readonly reason: string;
  /** Stream offset of the error: llhttp's error position, counted from the parser's first byte. */
  readonly offset: number;
  /**
   * True when the message is well-formed but asks for what HTTP/1.1 parsing
   * does not implement: a version other than 1.x (or the HTTP/2 preface), a
   * request transfer coding other than a final `chunked`. A server answers
   * these 505 or 501 (RFC 9110 §15.6.6, RFC 9112 §6.1) and the rest 400.
   */
  readonly unsupported: boolean;

  constructor(code: string, reason: string, offset: number, unsupported = false) {
    super(code, `${code}: ${reason}`);
    this.name = 'ParseError';
    this.reason = reason;
    this.offset = offset;
    this.unsupported = unsupported;
  }
}

/** errorMessage is what a log line says of a thrown value: an Error's message, anything else as a string. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** clientGone is the reason a request's abort carries when its client's connection closed (`ERR_CLIENT_GONE`). */
export function clientGone(): ProtocolError {
  return new ProtocolError('ERR_CLIENT_GONE', 'client disconnected');
}

function sentinel(code: string, message: string): ProtocolError {
  return Object.freeze(new ProtocolError(code, message));
}

/** ErrPersistEOF: the peer or a `close` flag ended the persistent connection (Go's ErrPersistEOF). */
export const ErrPersistEOF = sentinel('ERR_PERSIST_EOF', 'persistent connection closed');
/** ErrClosed: the connection was closed or hijacked by the user (Go's ErrClosed). */
export const ErrClosed = sentinel('ERR_CLOSED', 'connection closed by user');
/** ErrPipeline: a read or write out of pipeline order, or for an unknown request (Go's ErrPipeline). */
export const ErrPipeline = sentinel('ERR_PIPELINE', 'pipeline error');
/**
 * ErrAbortHandler: thrown by a handler to make the server abort the client
 * connection instead of ending the response cleanly: an RST once the head
 * is out (Go's http.ErrAbortHandler; go#23643: never end a truncated body
 * cleanly). The server does not log it.
 */
export const ErrAbortHandler = sentinel(
  'ERR_ABORT_HANDLER',
  'response aborted: backend body failed',
);
/** ErrHandled: a ReverseProxy `proxy` hook answered the request itself. */
export const ErrHandled = sentinel('ERR_HANDLED', 'request handled');
/**
 * ErrBodyDiscarded: a body read after its connection moved on to the next
 * message (Go's ErrBodyReadAfterClose). One shared instance: throwing it
 * costs no stack capture on the hot path.
 */
export const ErrBodyDiscarded = sentinel(
  'ERR_BODY_DISCARDED',
  'body discarded: the connection read past it',
);

/**
 * UnavailableError: no backend could take the request (every upstream
 * target ejected, unhealthy or removed). Code `ERR_NO_UPSTREAM`. A
 * ReverseProxy without an `errorHandler` answers it with 503, a short
 * plain-text body and, when `retryAfter` is set, `Retry-After`.
 */
export class UnavailableError extends ProtocolError {
  /** Seconds until a target is expected back (the earliest ejection's end), or null when unknown. */
  readonly retryAfter: number | null;

  constructor(message: string, retryAfter: number | null = null) {
    super('ERR_NO_UPSTREAM', message);
    this.name = 'UnavailableError';
    this.retryAfter = retryAfter;
  }
}
