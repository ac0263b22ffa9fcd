import { ProtocolError } from '../errors.js';
import { FORBIDDEN_TRAILERS, isFieldValue, isRequestTarget, isToken } from './field-syntax.js';
import type { Header } from './header.js';
import { hasToken } from './token-list.js';
import type { Request } from './request.js';
import { bodyAllowed, type Response } from './response.js';
import { requestTarget } from './url.js';

/**
 * Framing says how a body goes on the wire after its head: `none` (no body
 * bytes at all), `length` (exactly `length` bytes), `chunked` (chunked
 * coding, then the values of `trailer` as they are when the body ends) or
 * `close` (raw bytes until the connection closes).
 */
export interface Framing {
  readonly kind: 'none' | 'length' | 'chunked' | 'close';
  /** The exact body size for `length`, else -1. */
  readonly length: number;
  /** For `chunked`: the trailer fields to send after the last chunk, else null. */
  readonly trailer: Header | null;
}

/** EncodedHead is a serialized head with what it promised about the body. */
export interface EncodedHead {
  /** Start line, header lines and the blank line, as latin1 text (one char per byte). */
  readonly head: string;
  readonly framing: Framing;
  /**
   * The connection cannot carry another message after this one: `close` was
   * set, a `Connection: close` line was sent, the body is delimited by
   * close, or it is HTTP/1.0 without `Connection: keep-alive`.
   */
  readonly close: boolean;
}

/** RequestHeadOptions: how a request head is written. */
export interface RequestHeadOptions {
  /** Write the target in absolute form (`http://host/path`), for a proxy (RFC 9112 §3.2.2); default false. */
  absoluteForm?: boolean;
}

/** ResponseHeadOptions: how a response head is written. */
export interface ResponseHeadOptions {
  /** The request answered; default `res.request`. HEAD means no body; HTTP/1.0 means no chunking. */
  request?: Request | null;
}

/** Framing fields are stated by the message's fields, never copied from its header (Go's reqWriteExcludeHeader). */
const REQUEST_EXCLUDE: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'trailer',
]);
/** RESPONSE_EXCLUDE: the framing fields a response head states itself, never copied from its header. */
export const RESPONSE_EXCLUDE: ReadonlySet<string> = new Set([
  'content-length',
  'transfer-encoding',
  'trailer',
]);

/** Methods whose bodiless requests still say `Content-Length: 0`, as Go does: many servers expect it. */
const LENGTH_EXPECTED: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

function fail(code: string, message: string): ProtocolError {
  return new ProtocolError(code, message);
}

function checkVersion(major: number, minor: number): void {
  if (
    !Number.isInteger(major) ||
    !Number.isInteger(minor) ||
    major < 0 ||
    major > 9 ||
    minor < 0 ||
    minor > 9
  ) {
    throw fail('ERR_INVALID_VERSION', `invalid version ${major}.${minor}`);
  }
}

function checkContentLength(contentLength: number): void {
  if (!Number.isSafeInteger(contentLength) || contentLength < -1) {
    throw fail('ERR_INVALID_CONTENT_LENGTH', `invalid contentLength ${contentLength}`);
  }
}

function atLeast11(major: number, minor: number): boolean {
  return major > 1 || (major === 1 && minor >= 1);
}

const NONE: Framing = Object.freeze({ kind: 'none', length: -1, trailer: null });

function lengthFraming(length: number): Framing {
  return { kind: 'length', length, trailer: null };
}

/** The values of `Connection` in `header`, without allocating when there is none (the common case). */
function connectionValues(header: Header): readonly string[] {
  return header.has('Connection') ? header.values('Connection') : NO_VALUES;
}

const NO_VALUES: readonly string[] = Object.freeze([]);

/**
 * Appends the lines we own: `Connection: close` (unless a Connection line
 * already says close), the framing line, and `Trailer` announcing the
 * trailer names for a chunked body; `saysClose`: a Connection line of the
 * message's header already has `close`.
 */
function framingLines(
  saysClose: boolean,
  close: boolean,
  framing: Framing,
  sendLength: number,
): string {
  let lines = '';
  if ((close || framing.kind === 'close') && !saysClose) lines += 'Connection: close\r\n';
  if (sendLength >= 0) lines += 'Content-Length: ' + sendLength + '\r\n';
  if (framing.kind === 'chunked') {
    lines += 'Transfer-Encoding: chunked\r\n';
    const names = framing.trailer?.names() ?? [];
    for (const name of names) {
      if (FORBIDDEN_TRAILERS.has(name.toLowerCase()) || !isToken(name)) {
        throw fail('ERR_INVALID_TRAILER', `invalid trailer name ${JSON.stringify(name)}`);
      }
    }
    if (names.length > 0) lines += 'Trailer: ' + names.join(', ') + '\r\n';
  }
  return lines;
}

/** closes says whether the connection ends after a message with this head. */
function closes(
  saysClose: boolean,
  close: boolean,
  framing: Framing,
  connection: readonly string[],
  major: number,
  minor: number,
): boolean {
  if (saysClose || close || framing.kind === 'close') return true;
  return !atLeast11(major, minor) && !hasToken(connection, 'keep-alive');
}

/**
 * encodeRequestHead serializes the head of `req` (Go's Request.write):
 * request line with the target from `requestTarget`, `Host` (`req.host`,
 * else the URL's host), the header lines in wire order without framing
 * fields, then `Connection: close` when `req.close`, and the framing: a
 * body of known length gets `Content-Length` (also `Content-Length: 0` for a
 * bodiless POST, PUT or PATCH), a body of unknown length goes chunked with
 * its `Trailer` announced. No User-Agent is added. Throws a
 * `ProtocolError` before anything is written for a bad method, target,
 * version, name or value, for `contentLength > 0` without a body, and for a
 * body of unknown length on HTTP/1.0 (`ERR_UNKNOWN_LENGTH`).
 */
export function encodeRequestHead(req: Request, options: RequestHeadOptions = {}): EncodedHead {
  const { method, protoMajor: major, protoMinor: minor, contentLength } = req;
  if (!isToken(method))
    throw fail('ERR_INVALID_METHOD', `invalid method ${JSON.stringify(method)}`);
  checkVersion(major, minor);
  checkContentLength(contentLength);
  const host = req.host !== '' ? req.host : req.url.host;
  if (!isFieldValue(host)) throw fail('ERR_INVALID_HOST', `invalid host ${JSON.stringify(host)}`);
  const target = requestTarget(method, req.url, host, options.absoluteForm === true);
  if (!isRequestTarget(target))
    throw fail('ERR_INVALID_URL', `invalid request-target ${JSON.stringify(target)}`);

  let framing = NONE;
  let sendLength = -1;
  if (req.body === null) {
    if (contentLength > 0) {
      throw fail('ERR_CONTENT_LENGTH_MISMATCH', `contentLength ${contentLength} with no body`);
    }
    if (LENGTH_EXPECTED.has(method)) sendLength = 0;
  } else if (contentLength >= 0) {
    framing = lengthFraming(contentLength);
    if (contentLength > 0 || LENGTH_EXPECTED.has(method)) sendLength = contentLength;
  } else if (atLeast11(major, minor)) {
    framing = { kind: 'chunked', length: -1, trailer: req.trailer };
  } else {
    throw fail('ERR_UNKNOWN_LENGTH', 'a request body of unknown length needs HTTP/1.1');
  }

  const connection = connectionValues(req.header);
  const saysClose = hasToken(connection, 'close');
  const lines =
    req.header.wireLines(REQUEST_EXCLUDE) + framingLines(saysClose, req.close, framing, sendLength);
  const head = `${method} ${target} HTTP/${major}.${minor}\r\nHost: ${host}\r\n${lines}\r\n`;
  return {
    head,
    framing,
    close: closes(saysClose, req.close, framing, connection, major, minor),
  };
}

/**
 * encodeResponseHead serializes the head of `res` (Go's Response.Write):
 * status line, header lines in wire order without framing fields, then
 * `Connection: close` when `res.close` or the body runs until close, and
 * the framing. 1xx and 204 get no framing line and no body, 304 keeps a
 * positive `contentLength` but no body (RFC 9110 §8.6, §15.4.5); a response
 * to HEAD states `contentLength` when it is known but sends no body. Any
 * other bodiless response says `Content-Length: 0`. A body of unknown
 * length goes chunked (with `Trailer` announced) when both the response
 * and the request are HTTP/1.1, else raw until close. Throws a
 * `ProtocolError` before anything is written for a bad status, reason,
 * version, name or value, and for `contentLength > 0` without a body.
 */
export function encodeResponseHead(res: Response, options: ResponseHeadOptions = {}): EncodedHead {
  const { status, protoMajor: major, protoMinor: minor, contentLength } = res;
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw fail('ERR_INVALID_STATUS', `invalid status ${status}`);
  }
  if (!isFieldValue(res.statusText)) {
    throw fail('ERR_INVALID_STATUS', `invalid status text ${JSON.stringify(res.statusText)}`);
  }
  checkVersion(major, minor);
  checkContentLength(contentLength);
  const request = options.request === undefined ? res.request : options.request;

  let framing = NONE;
  let sendLength = -1;
  if (!bodyAllowed(status)) {
    if (status === 304 && contentLength > 0) sendLength = contentLength;
  } else if (request?.method === 'CONNECT' && status >= 200 && status <= 299) {
    // RFC 9110 §9.3.6: a 2xx to CONNECT starts a tunnel and carries no framing fields
  } else if (request?.method === 'HEAD') {
    sendLength = contentLength;
  } else if (res.body === null) {
    if (contentLength > 0) {
      throw fail('ERR_CONTENT_LENGTH_MISMATCH', `contentLength ${contentLength} with no body`);
    }
    sendLength = 0;
  } else if (contentLength >= 0) {
    framing = lengthFraming(contentLength);
    sendLength = contentLength;
  } else if (
    atLeast11(major, minor) &&
    (request == null || atLeast11(request.protoMajor, request.protoMinor))
  ) {
    framing = { kind: 'chunked', length: -1, trailer: res.trailer };
  } else {
    framing = { kind: 'close', length: -1, trailer: null };
  }

  const connection = connectionValues(res.header);
  const saysClose = hasToken(connection, 'close');
  const lines =
    res.header.wireLines(RESPONSE_EXCLUDE) +
    framingLines(saysClose, res.close, framing, sendLength);
  const head = `HTTP/${major}.${minor} ${status} ${res.statusText}\r\n${lines}\r\n`;
  return {
    head,
    framing,
    close: closes(saysClose, res.close, framing, connection, major, minor),
  };
}
