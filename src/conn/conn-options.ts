import type { MessageReaderOptions } from '../message/message-reader.js';

/**
 * ConnOptions: limits for a ClientConn or ServerConn (docs/limits.md lists
 * them with their defaults and errors). Every field is optional:
 * `maxHeaderBytes` 64 KiB, `maxHeaderCount` 256, `maxRequestLineBytes`
 * 8 KiB (requests only), `maxChunkExtensionBytes` 16 KiB, `maxBodyBytes`
 * none, `lenient` 0 (strict), `readAhead` 64 KiB of unconsumed socket
 * bytes before the socket is paused, `bodyHighWaterMark` 64 KiB of unread
 * body before reading stops.
 */
export interface ConnOptions extends MessageReaderOptions {
  /** Unconsumed bytes buffered from the socket before it is paused; default 65536. */
  readAhead?: number;
  /**
   * ServerConn only: `read` throws `ERR_MISSING_HOST` for an HTTP/1.1
   * request other than CONNECT without a Host line (RFC 9112 §3.2, Node's
   * `requireHostHeader`). Default false, as Go's ReadRequest; `createServer`
   * sets it.
   */
  requireHostHeader?: boolean;
}
