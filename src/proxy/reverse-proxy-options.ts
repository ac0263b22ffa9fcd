/** The ReverseProxy's options and the types of its hooks. */
import type { ErrHandled } from '../errors.js';
import type { Request } from '../message/request.js';
import type { ProxyRequest } from './proxy-request.js';
import type { Response } from '../message/response.js';
import type { ResponseWriter } from '../server/handler.js';
import type { RoundTripper } from '../transport/round-tripper.js';

/** BufferPool: buffers for coalescing small body chunks (Go's httputil.BufferPool). */
export interface BufferPool {
  get(): Uint8Array;
  put(buf: Uint8Array): void;
}

/**
 * ProxyHook: the ReverseProxy's `proxy` hook. It performs the backend
 * exchange for `out` (default: `transport.roundTrip(out)`), so it may wrap,
 * cache or mock it, or answer `req` itself on `rw` and return ErrHandled.
 */
export type ProxyHook = (
  rw: ResponseWriter,
  out: Request,
  req: Request,
  roundTrip: (out: Request) => Promise<Response>,
) => Promise<Response | typeof ErrHandled>;

/** ReverseProxyOptions: every option is also a public property of the proxy. */
export interface ReverseProxyOptions {
  /** Rewrites the outgoing request in place (Go's Director). Exactly one of director and rewrite. */
  director?: ((out: Request) => void) | null;
  /** Builds the outgoing request from `pr.in` into `pr.out` (Go's Rewrite); forwarding headers are stripped first. */
  rewrite?: ((pr: ProxyRequest) => void | Promise<void>) | null;
  /** Sends the requests; default: a Transport owned by this proxy, keeping 128 idle connections per host (closed by `close()`). */
  transport?: RoundTripper | null;
  /** Milliseconds between flushes while copying a body; negative: after every write; default 0 (SSE and unknown lengths flush at once anyway). */
  flushInterval?: number;
  /** Where errors are logged; default: a line on stderr. */
  errorLog?: ((message: string) => void) | null;
  /** Buffers to coalesce small body chunks into before writing; default none (chunks pass through). */
  bufferPool?: BufferPool | null;
  /** Changes the backend's response before it is copied; a throw or rejection goes to errorHandler. */
  modifyResponse?: ((res: Response) => void | Promise<void>) | null;
  /**
   * Answers when the backend could not be reached or modifyResponse failed;
   * default: log and 502 with an empty body, or 503 with a short body (and
   * Retry-After when known) for an `UnavailableError`.
   */
  errorHandler?: ((rw: ResponseWriter, req: Request, err: unknown) => void | Promise<void>) | null;
  /** See ProxyHook. */
  proxy?: ProxyHook | null;
  /** Log each proxied exchange (method, target, status) to errorLog. */
  debug?: boolean;
}
