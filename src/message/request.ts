import { ProtocolError } from '../errors.js';
import type { MessageHead } from '../parser/types.js';
import { type AbortWatch, LazyAbort, watchSignal } from './abort-watch.js';
import { Body } from './body.js';
import type { BodyInit } from './body-source.js';
import { isToken } from './field-syntax.js';
import { ADOPT, type AdoptingInit } from './adopt.js';
import { Header, type HeaderInit } from './header.js';
import {
  announcedTrailer,
  checkTransferEncoding,
  incomingHeader,
  requestHost,
} from './incoming.js';
import { type MessageURL, parseAbsoluteURL, parseRequestTarget, requestTarget } from './url.js';

/** RequestInit: the optional parts of a Request. */
export interface RequestInit {
  /** Header fields; copied. */
  header?: HeaderInit | null;
  /** The body; see `BodyInit`. Default none. */
  body?: BodyInit | Body;
  /** Body length in bytes, -1 unknown; default: the length of a string or bytes body, 0 without a body, else -1. */
  contentLength?: number;
  /** Close the connection after this exchange (`Connection: close`); default false. */
  close?: boolean;
  /** The Host to send; default: a Host header in `header`, else the URL's host. */
  host?: string;
  /** Trailer fields sent after a chunked body; their names are announced in a `Trailer` header. */
  trailer?: HeaderInit | null;
  /** Default 1. */
  protoMajor?: number;
  /** Default 1. */
  protoMinor?: number;
}

/** IncomingRequestInit: what a server connection adds when it builds a Request from a parsed head. */
export interface IncomingRequestInit {
  /** The body as the connection fills it; default none. Its `trailer` becomes the request's. */
  body?: Body | null;
  /** The peer's `ip:port`. */
  remoteAddr?: string;
  /**
   * Throw `ERR_MISSING_HOST` for an HTTP/1.1 request other than CONNECT
   * without a Host line (RFC 9112 §3.2); default false, as Go's ReadRequest.
   */
  requireHost?: boolean;
}

// Set by Request's static block: the module's access to its #abort.
let abortOf: (req: Request) => AbortSignal | LazyAbort | null;
let setAbort: (req: Request, abort: LazyAbort | AbortSignal | null) => void;

/**
 * IncomingRequest is a Request read off the wire (`ServerConn.read`, a
 * server handler's `req`): its `body` is never null, an empty Body when the
 * request has none.
 */
export type IncomingRequest = Request & { body: Body };

/**
 * Request is an HTTP request, outgoing (made by the user) or incoming (read
 * by a server connection). Fields are plain and may be changed before the
 * request is written. When written, the Host line uses `host`, falling back
 * to the URL's host when `host` is ''. Framing comes from `body` and
 * `contentLength` only: `Content-Length`, `Transfer-Encoding`, `Trailer` and
 * `Host` lines in `header` are not sent.
 */
export class Request {
  /** The method, an RFC 9110 token such as `GET`. */
  method: string;
  /** Where the request goes; `path` and `query` are kept raw. */
  url: MessageURL;
  /** The Host to send; on an incoming request, the target's host or the Host header. */
  host: string;
  header: Header;
  /** The body, or null for none. An incoming request always has one (maybe empty). */
  body: Body | null;
  /** Body length in bytes; -1 means unknown (sent chunked on HTTP/1.1). */
  contentLength: number;
  /** Close the connection after this exchange; on an incoming request, the client asked for it. */
  close: boolean;
  protoMajor: number;
  protoMinor: number;
  /** Trailer fields; null-valued names are announced but not sent. Filled when an incoming body ends. */
  trailer: Header;
  /** The peer's `ip:port` on an incoming request, else ''. */
  remoteAddr = '';
  /** On an incoming request: true when it arrived over TLS. */
  tls = false;
  /** What `signal` reads: a LazyAbort makes its AbortSignal on first read. */
  #abort: AbortSignal | LazyAbort | null = null;

  /**
   * On an incoming request served by `createServer`: aborted when the client
   * connection goes away before the response is complete (Go's request
   * context), so work done for it — a proxied backend request — can stop.
   * The server makes the AbortSignal only when this is first read.
   */
  get signal(): AbortSignal | null {
    const abort = this.#abort;
    return abort instanceof LazyAbort ? abort.signal : abort;
  }

  set signal(signal: AbortSignal | null) {
    this.#abort = signal;
  }

  static {
    abortOf = (req) => req.#abort;
    setAbort = (req, abort) => {
      req.#abort = abort;
    };
  }

  /**
   * Makes a request for `url`, an absolute URL string or a `URL` (a
   * `MessageURL` object is used as is). The string is split by hand: its
   * path and query keep their escapes exactly (only SP and non-ASCII chars
   * are percent-encoded); the fragment and userinfo are dropped. An empty
   * method means GET; anything but a token throws `ERR_INVALID_METHOD`.
   */
  constructor(method: string, url: string | URL | MessageURL, init: RequestInit = {}) {
    const adopted = (init as AdoptingInit<RequestInit>)[ADOPT];
    const m = method === '' ? 'GET' : method;
    if (!isToken(m))
      throw new ProtocolError('ERR_INVALID_METHOD', `invalid method ${JSON.stringify(m)}`);
    this.method = m;
    if (typeof url === 'string') this.url = parseAbsoluteURL(url);
    else if (url instanceof URL) this.url = parseAbsoluteURL(url.href);
    else this.url = adopted === undefined ? { ...url } : url;
    this.header = adopted?.header ?? Header.from(init.header);
    this.host = init.host ?? this.header.get('Host') ?? this.url.host;
    this.body = init.body == null ? null : Body.from(init.body);
    this.contentLength = init.contentLength ?? (this.body === null ? 0 : this.body.length);
    this.close = init.close ?? false;
    this.protoMajor = init.protoMajor ?? 1;
    this.protoMinor = init.protoMinor ?? 1;
    this.trailer = adopted?.trailer ?? Header.from(init.trailer);
  }

  /**
   * Request.fromHead builds an incoming request from a parsed head, as Go's
   * ReadRequest: the target is split by `parseRequestTarget`; `host` is the
   * target's host, else the Host header, which is removed from `header`
   * along with `Transfer-Encoding`, `Trailer`, and `Content-Length` when the
   * body is chunked. `contentLength` is -1 for a chunked body, else the
   * Content-Length (0 without one, and for CONNECT). `trailer` holds the announced names with
   * null values, filled by the body when it ends. `close` is the opposite
   * of llhttp's keep-alive verdict. A head a server must refuse throws a
   * ProtocolError: two Host lines `ERR_DUPLICATE_HOST`, a malformed Host
   * `ERR_INVALID_HOST`, a Transfer-Encoding other than one `chunked`
   * `ERR_UNSUPPORTED_TRANSFER_ENCODING`, and with `requireHost` a missing
   * Host `ERR_MISSING_HOST`.
   */
  static fromHead(head: MessageHead, init: IncomingRequestInit = {}): Request {
    const method = head.method ?? 'GET';
    const url = parseRequestTarget(method, head.url ?? '/');
    const pairs = head.headers;
    checkTransferEncoding(pairs); // first, as Go: 501 before a Host error's 400
    const wireHost = requestHost(pairs);
    if (wireHost === null && init.requireHost === true && needsHost(head, method)) {
      throw new ProtocolError('ERR_MISSING_HOST', 'missing required host header');
    }
    const body = init.body ?? null;
    const req = new Request(method, url, {
      body,
      host: url.host !== '' ? url.host : (wireHost ?? ''),
      // RFC 9110 §9.3.6: a CONNECT has no content (llhttp reads none); the tunnel follows the head.
      contentLength: head.chunked ? -1 : method === 'CONNECT' ? 0 : Math.max(head.contentLength, 0),
      close: !head.shouldKeepAlive,
      protoMajor: head.versionMajor,
      protoMinor: head.versionMinor,
      [ADOPT]: {
        header: incomingHeader(pairs, head.chunked, true),
        trailer: announcedTrailer(pairs, head.chunked, body?.trailer),
      },
    } as AdoptingInit<RequestInit>);
    req.remoteAddr = init.remoteAddr ?? '';
    return req;
  }

  /** requestURI returns the request-target as it goes on the wire to an origin server (not a proxy). */
  requestURI(): string {
    return requestTarget(this.method, this.url, this.host, false);
  }
}

/**
 * requestAbort returns what aborts `req` (its `signal`) as an AbortWatch,
 * without making the AbortSignal of a server's request; undefined for none.
 */
export function requestAbort(req: Request): AbortWatch | undefined {
  const abort = abortOf(req);
  if (abort === null) return undefined;
  return abort instanceof LazyAbort ? abort : watchSignal(abort);
}

/** setRequestAbort makes `abort` what `req.signal` follows (a server, per request). */
export function setRequestAbort(req: Request, abort: LazyAbort): void {
  setAbort(req, abort);
}

/** shareRequestAbort makes `to.signal` follow what `from.signal` follows, without making a signal. */
export function shareRequestAbort(from: Request, to: Request): void {
  setAbort(to, abortOf(from));
}

/** needsHost reports whether RFC 9112 §3.2 requires a Host line on the request: HTTP/1.1 (or a later 1.x), not CONNECT. */
function needsHost(head: MessageHead, method: string): boolean {
  return head.versionMajor === 1 && head.versionMinor >= 1 && method !== 'CONNECT';
}
