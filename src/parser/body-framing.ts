/**
 * From the end of the head to the end of the message: onHeadersComplete,
 * llhttp's body framing decision (RFC 9112 §6.3), identity and read-until-
 * close bodies, message complete, cleanup and keep-alive.
 */
import { ERROR, FLAGS, LENIENT_FLAGS } from './constants.js';
import { METHODS } from './methods.js';
import { Finish, type ParserState, pausedAt, S } from './parser-state.js';
import type { MessageHead } from './types.js';

/** endOfHead: the empty line after the headers or the trailers. */
export function endOfHead(p: ParserState, i: number): number {
  p.inHead = false;
  p.lineLimited = false;
  if ((p.flags & FLAGS.TRAILING) === 0) {
    if (p.headers.length > p.maxHeaderCount) {
      p.fail(ERROR.HEADER_OVERFLOW, 'Too many header fields', i);
    }
    return headersComplete(p, i);
  }
  if (p.trailers.length > p.maxHeaderCount) {
    p.fail(ERROR.HEADER_OVERFLOW, 'Too many trailer fields', i);
  }
  if (p.trailers.length > 0) p.cb.onTrailers?.(p.trailers);
  p.state = S.MESSAGE_DONE;
  p.cb.onChunkComplete?.();
  return pausedAt(p, i);
}

/** headersComplete: llhttp's before_headers_complete + on_headers_complete. */
function headersComplete(p: ParserState, i: number): number {
  const flags = p.flags;
  const isRequest = p.isRequest;
  if ((flags & FLAGS.UPGRADE) !== 0 && (flags & FLAGS.CONNECTION_UPGRADE) !== 0) {
    p.upgrade = isRequest || p.status === 101;
  } else {
    p.upgrade = isRequest && p.methodNumber === METHODS.CONNECT;
  }
  // A 101 without `Upgrade` and `Connection: upgrade` reports no upgrade (as
  // llhttp), though parsing still stops after it (afterHeadersComplete).
  if (!isRequest) applyRequestMethod(p);
  const head: MessageHead = {
    method: isRequest ? p.method : null,
    url: isRequest ? p.url : null,
    status: isRequest ? null : p.status,
    statusText: isRequest ? null : p.statusText,
    versionMajor: p.major,
    versionMinor: p.minor,
    headers: p.headers,
    upgrade: p.upgrade,
    shouldKeepAlive: shouldKeepAlive(p),
    contentLength: (p.flags & FLAGS.CONTENT_LENGTH) !== 0 ? p.contentLength : -1,
    chunked: (p.flags & FLAGS.CHUNKED) !== 0,
  };
  p.state = S.HEADERS_DONE;
  const skip = p.cb.onHeadersComplete?.(head);
  if (skip === 1) {
    p.flags |= FLAGS.SKIPBODY;
  } else if (skip === 2) {
    p.flags |= FLAGS.SKIPBODY;
    p.upgrade = true;
    head.upgrade = true;
  }
  return pausedAt(p, i);
}

/** applyRequestMethod: a response to HEAD has no body; a 2xx to CONNECT upgrades. */
function applyRequestMethod(p: ParserState): void {
  const option = p.requestMethod;
  if (option === undefined) return;
  const status = p.status;
  let method: string | undefined;
  if (typeof option === 'string') {
    method = option;
  } else {
    method = option[p.responseIndex];
    if (status < 100 || status > 199 || status === 101) p.responseIndex++;
  }
  if (method === 'HEAD') {
    p.flags |= FLAGS.SKIPBODY;
  } else if (method === 'CONNECT' && status >= 200 && status <= 299) {
    p.flags |= FLAGS.SKIPBODY;
    p.upgrade = true;
  }
}

/** afterHeadersComplete: llhttp's body framing decision. False when a callback paused. */
export function afterHeadersComplete(p: ParserState, i: number): boolean {
  const flags = p.flags;
  const isRequest = p.isRequest;
  const status = p.status;
  const hasBody = (flags & FLAGS.CHUNKED) !== 0 || p.contentLength > 0;
  const skipBody = (flags & FLAGS.SKIPBODY) !== 0;
  if (
    (p.upgrade && ((isRequest && p.methodNumber === METHODS.CONNECT) || skipBody || !hasBody)) ||
    (!isRequest && status === 101)
  ) {
    return messageComplete(p, true);
  }
  if (
    skipBody ||
    (!isRequest &&
      (status === 100 || status === 102 || status === 103 || status === 204 || status === 304))
  ) {
    return messageComplete(p, false);
  }
  if ((flags & FLAGS.CHUNKED) !== 0) {
    p.state = S.CHUNK_SIZE_START;
    p.extensionBytes = 0;
  } else if ((flags & FLAGS.TRANSFER_ENCODING) !== 0) {
    const lenientTe = LENIENT_FLAGS.CHUNKED_LENGTH | LENIENT_FLAGS.TRANSFER_ENCODING;
    if (isRequest && (p.lenient & lenientTe) === 0) {
      // RFC 9112 §6.3: a request whose TE does not end in chunked has no reliable length
      p.fail(ERROR.INVALID_TRANSFER_ENCODING, 'Request has invalid `Transfer-Encoding`', i, true);
    }
    readUntilEof(p);
  } else if ((flags & FLAGS.CONTENT_LENGTH) === 0) {
    if (!needsEof(p)) return messageComplete(p, false);
    readUntilEof(p);
  } else if (p.contentLength === 0) {
    return messageComplete(p, false);
  } else {
    p.remaining = p.contentLength;
    p.state = S.BODY_IDENTITY;
  }
  return true;
}

function readUntilEof(p: ParserState): void {
  p.finish = Finish.SAFE_WITH_CB;
  p.state = S.BODY_IDENTITY_EOF;
}

/**
 * #messageComplete calls onMessageComplete; with `upgrade` the parser then
 * stops, the rest of the stream being another protocol. False when paused.
 */
export function messageComplete(p: ParserState, upgrade: boolean): boolean {
  if (upgrade) {
    p.upgraded = true;
  } else {
    p.state = S.CLEANUP;
  }
  p.cb.onMessageComplete?.();
  if (upgrade) {
    p.state = S.CLEANUP;
    return false;
  }
  return !p.paused;
}

/** cleanup: llhttp's after_message_complete; keep-alive decides what may follow. */
export function cleanup(p: ParserState): void {
  const keepAlive = shouldKeepAlive(p);
  p.finish = Finish.SAFE;
  p.resetMessage();
  if (keepAlive || p.hasLenient(LENIENT_FLAGS.KEEP_ALIVE)) {
    p.initialMessageCompleted = true;
    p.state = S.START;
  } else {
    p.state = S.CLOSED;
  }
}

/** needsEof: llhttp_message_needs_eof — the body ends when the connection does. */
function needsEof(p: ParserState): boolean {
  if (p.isRequest) return false;
  const status = p.status;
  const flags = p.flags;
  if ((status >= 100 && status <= 199) || status === 204 || status === 304) return false;
  if ((flags & FLAGS.SKIPBODY) !== 0) return false;
  if ((flags & FLAGS.TRANSFER_ENCODING) !== 0 && (flags & FLAGS.CHUNKED) === 0) return true;
  return (flags & (FLAGS.CHUNKED | FLAGS.CONTENT_LENGTH)) === 0;
}

/** shouldKeepAlive: llhttp_should_keep_alive for the current message. */
function shouldKeepAlive(p: ParserState): boolean {
  if (p.major > 0 && p.minor > 0) {
    if ((p.flags & FLAGS.CONNECTION_CLOSE) !== 0) return false;
  } else if ((p.flags & FLAGS.CONNECTION_KEEP_ALIVE) === 0) {
    return false;
  }
  return !needsEof(p);
}
