import type { Detached } from '../io/socket-reader.js';
import type { Header } from '../message/header.js';
import type { IncomingRequest } from '../message/request.js';

/**
 * TrailerPrefix: a header set after the body with this prefix on its name
 * (`Trailer:X-Checksum`) goes out as the trailer `X-Checksum`, as in Go.
 */
export const TrailerPrefix = 'Trailer:';

/**
 * ResponseWriter answers one request (Go's http.ResponseWriter). Headers set
 * on `header()` go out with `writeHeader` (or the first `write`); a body
 * whose whole length is known when the head goes out is sent with
 * Content-Length, otherwise chunked (HTTP/1.1) or delimited by closing the
 * connection (HTTP/1.0). Trailers: name them in a `Trailer` header before
 * the head goes out, or set them after the body with names prefixed by
 * `TrailerPrefix`.
 */
export interface ResponseWriter {
  /** header returns the header map the response will send; changes after the head went out have no effect (but trailers). */
  header(): Header;
  /**
   * writeHeader sends the status line and headers. A 1xx status (other than
   * 101) is sent at once as an informational response and may be followed
   * by more; for any other status a second call is ignored.
   */
  writeHeader(status: number): void;
  /**
   * write queues body bytes (sending a 200 head first if none was sent).
   * The promise resolves when the connection can take more, honouring
   * back-pressure; it rejects once the client is gone.
   */
  write(chunk: string | Uint8Array): Promise<void>;
  /** flush sends the head and every queued byte now (for streaming: SSE, long polls). */
  flush(): Promise<void>;
  /**
   * hijack takes the connection over: returns the socket and every byte read
   * from it but not consumed, the socket neither flowing nor paused
   * (`readableFlowing === null`: a 'data' listener starts it). The server
   * then forgets the connection.
   */
  hijack(): Detached;
  /** True once the head (status line and headers) went out, or the connection was hijacked. */
  readonly headerWritten: boolean;
  /**
   * status is the final status once the head is decided (by `writeHeader`
   * or the first `write`), else 0; 1xx responses never set it (101 does).
   * A handler that throws before the head went out reads the error status
   * it is answered with (500, 400, ...).
   */
  readonly status: number;
  /** bytesWritten counts the body bytes written so far (for a HEAD request none are sent, and it stays 0). */
  readonly bytesWritten: number;
}

/** HandlerFunc serves one request; the response ends when the returned promise settles. */
export type HandlerFunc = (rw: ResponseWriter, req: IncomingRequest) => void | Promise<void>;

/** Handler: an object serving requests (Go's http.Handler). */
export interface Handler {
  serveHTTP(rw: ResponseWriter, req: IncomingRequest): void | Promise<void>;
}
