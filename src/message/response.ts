import { ProtocolError } from '../errors.js';
import type { MessageHead } from '../parser/types.js';
import { Body } from './body.js';
import type { BodyInit } from './body-source.js';
import { ADOPT, type AdoptingInit } from './adopt.js';
import { Header, type HeaderInit } from './header.js';
import { announcedTrailer, checkTransferEncoding, incomingHeader } from './incoming.js';
import type { Request } from './request.js';
import { statusText } from './status-text.js';

/** ResponseInit: the optional parts of a Response. */
export interface ResponseInit {
  /** Reason phrase; default the standard one for the status ('' for unknown codes). */
  statusText?: string;
  /** Header fields; copied. */
  header?: HeaderInit | null;
  /** The body; see `BodyInit`. Default none. */
  body?: BodyInit | Body;
  /** Body length in bytes, -1 unknown; default: the length of a string or bytes body, 0 without a body, else -1. */
  contentLength?: number;
  /** Close the connection after this response; default false. */
  close?: boolean;
  /** Default 1. */
  protoMajor?: number;
  /** Default 1. */
  protoMinor?: number;
  /** Trailer fields sent after a chunked body; their names are announced in a `Trailer` header. */
  trailer?: HeaderInit | null;
  /** The request this response answers; its method and version shape the framing. */
  request?: Request | null;
}

/** IncomingResponseInit: what a client connection adds when it builds a Response from a parsed head. */
export interface IncomingResponseInit {
  /** The body as the connection fills it; default none. Its `trailer` becomes the response's. */
  body?: Body | null;
  /** The request this response answers. */
  request?: Request | null;
}

/**
 * IncomingResponse is a Response read off the wire (`ClientConn.read`,
 * `Transport.roundTrip`): its `body` is never null, an empty Body when the
 * response has none.
 */
export type IncomingResponse = Response & { body: Body };

/** bodyAllowed reports whether a response with `status` may have a body (RFC 9110 §6.4.1: not 1xx, 204, 304). */
export function bodyAllowed(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 304;
}

/**
 * Response is an HTTP response, outgoing (made by the user) or incoming
 * (read by a client connection). Fields are plain and may be changed before
 * the response is written. Framing comes from `body` and `contentLength`
 * only: `Content-Length`, `Transfer-Encoding` and `Trailer` lines in
 * `header` are not sent.
 */
export class Response {
  /** The status code, 100 to 999. */
  status: number;
  statusText: string;
  protoMajor: number;
  protoMinor: number;
  header: Header;
  /** The body, or null for none. An incoming response always has one (maybe empty). */
  body: Body | null;
  /** Body length in bytes; -1 means unknown (chunked on HTTP/1.1, else until close). */
  contentLength: number;
  /** Close the connection after this response. */
  close: boolean;
  /** Trailer fields; null-valued names are announced but not sent. Filled when an incoming body ends. */
  trailer: Header;
  /** The request this response answers, or null. */
  request: Request | null;

  /** Makes a response; a status that is not an integer from 100 to 999 throws `ERR_INVALID_STATUS`. */
  constructor(status: number, init: ResponseInit = {}) {
    const adopted = (init as AdoptingInit<ResponseInit>)[ADOPT];
    if (!Number.isInteger(status) || status < 100 || status > 999) {
      throw new ProtocolError('ERR_INVALID_STATUS', `invalid status ${status}`);
    }
    this.status = status;
    this.statusText = init.statusText ?? statusText(status);
    this.protoMajor = init.protoMajor ?? 1;
    this.protoMinor = init.protoMinor ?? 1;
    this.header = adopted?.header ?? Header.from(init.header);
    this.body = init.body == null ? null : Body.from(init.body);
    this.contentLength = init.contentLength ?? (this.body === null ? 0 : this.body.length);
    this.close = init.close ?? false;
    this.trailer = adopted?.trailer ?? Header.from(init.trailer);
    this.request = init.request ?? null;
  }

  /**
   * Response.fromHead builds an incoming response from a parsed head, as Go's
   * ReadResponse: `contentLength` is 0 for 1xx, 204 and 304, the declared
   * Content-Length for a response to HEAD (-1 without one), -1 when chunked
   * or delimited by close, else the Content-Length. `Transfer-Encoding` and
   * `Trailer` are removed from `header` (and `Content-Length` when chunked);
   * `trailer` holds the announced names with null values, filled by the
   * body when it ends. `close` is the opposite of llhttp's keep-alive verdict.
   * A Transfer-Encoding other than one `chunked` line throws
   * `ERR_UNSUPPORTED_TRANSFER_ENCODING` (Go's ReadResponse fails too).
   */
  static fromHead(head: MessageHead, init: IncomingResponseInit = {}): Response {
    checkTransferEncoding(head.headers);
    const status = head.status ?? 0;
    const request = init.request ?? null;
    let contentLength = head.chunked ? -1 : head.contentLength;
    if (!bodyAllowed(status)) contentLength = 0;
    const body = init.body ?? null;
    return new Response(status, {
      statusText: head.statusText ?? '',
      body,
      contentLength,
      close: !head.shouldKeepAlive,
      protoMajor: head.versionMajor,
      protoMinor: head.versionMinor,
      request,
      [ADOPT]: {
        header: incomingHeader(head.headers, head.chunked, false),
        trailer: announcedTrailer(head.headers, head.chunked, body?.trailer),
      },
    } as AdoptingInit<ResponseInit>);
  }
}
