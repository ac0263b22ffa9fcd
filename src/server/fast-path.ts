/**
 * The server's fast path (internal): a handler that can answer the common
 * request without a ResponseWriter implements `[FAST_PATH]`, and the
 * server then reads that connection's requests with a bare parser
 * (FastConnection) instead of a ServerConn and a ConnectionLoop. Anything
 * the fast path does not take goes to the general path with every byte
 * not yet answered, so both paths put the same bytes on the wire.
 */
import type { Socket } from 'node:net';
import type { Request } from '../message/request.js';

/** FAST_PATH keys a handler's fast path (see FastPathHandler). */
export const FAST_PATH = Symbol('httpwire.fastPath');
/** FAST_CONNECT keys a handler's fast path for CONNECT requests (see FastPathHandler). */
export const FAST_CONNECT = Symbol('httpwire.fastConnect');

/**
 * FastExchange: how a fast path ends a request it took. Exactly one of
 * `respond` and `handover` is called, once; after the client left, both
 * do nothing.
 */
export interface FastExchange {
  /**
   * respond answers with `status`, the header `lines` (`Name: value\r\n`
   * each, no framing fields) and the whole `body`, as the
   * ServerResponseWriter answers a handler that set those fields and wrote
   * `body`: `Date` is added unless `hasDate`, then `Connection: close` when
   * the connection closes after it (the server shuts down), then
   * `Content-Length`.
   */
  respond(status: number, lines: string, hasDate: boolean, body: Uint8Array): void;
  /**
   * handover gives the request, and the connection, to the general path:
   * the request is read again from its bytes, and the handler finds
   * `prefetched` there with `takePrefetched(req)`: what the fast path has
   * already done for it (undefined: nothing).
   */
  handover(prefetched?: unknown): void;
  /**
   * tunnel ends a CONNECT the fast path took by taking the connection
   * from the server, as `ResponseWriter.hijack` does, before anything was
   * answered: the socket (paused, listened to by nobody) and the bytes the
   * client sent after the CONNECT head. Null when the client already
   * left. Only `[FAST_CONNECT]` paths call it.
   */
  tunnel(): { socket: Socket; head: Buffer } | null;
}

/**
 * FastServe is offered each request that is HTTP/1.1, kept alive, without
 * a body, an upgrade or an `Expect`, that nobody watches through the
 * server's diagnostics channels, and whose head `Request.fromHead`
 * accepts (`req.body` is null, `req.signal` follows the client leaving).
 * It returns false, having done nothing, to leave the request to
 * `serveHTTP`, or true once it took it.
 */
export type FastServe = (req: Request, exchange: FastExchange) => boolean;

/**
 * FastPathHandler: a Handler with a fast path. `[FAST_PATH]` is read once
 * per connection: null when the handler cannot take requests that way now
 * (its options need the full objects), and the connection is then served
 * by the general path alone.
 */
export interface FastPathHandler {
  readonly [FAST_PATH]?: FastServe | null;
  /**
   * The fast path for CONNECT requests (HTTP/1.1, no content, not watched
   * through the channels), read once per connection like `[FAST_PATH]`:
   * it ends a request it took with `tunnel` or `handover`.
   */
  readonly [FAST_CONNECT]?: FastServe | null;
}

/** FastPaths: a handler's fast paths for one connection; either may be null, not both. */
export interface FastPaths {
  serve: FastServe | null;
  connect: FastServe | null;
}

/** fastPathsOf returns the fast paths of `handler`, or null when it has none now. */
export function fastPathsOf(handler: unknown): FastPaths | null {
  if (typeof handler !== 'object' || handler === null) return null;
  const serve = (handler as FastPathHandler)[FAST_PATH] ?? null;
  const connect = (handler as FastPathHandler)[FAST_CONNECT] ?? null;
  return serve === null && connect === null ? null : { serve, connect };
}

/** FastAnswer: what a fast path answered a request with (see `watchFastPath`). */
export interface FastAnswer {
  status: number;
  /** Body bytes written. */
  bytes: number;
}

/**
 * watchFastPath wraps `serve` so that `onTake(req)` runs for each request
 * offered to it, before it is served, and the function it returns runs
 * once that request is done on the fast path: with the answer written, or
 * with null when the request was declined or handed over (after the
 * client left, nothing is handed over: the request ends there).
 */
export function watchFastPath(
  serve: FastServe,
  onTake: (req: Request) => (answer: FastAnswer | null) => void,
): FastServe {
  return (req, exchange) => {
    const done = onTake(req);
    const taken = serve(req, {
      respond(status, lines, hasDate, body) {
        exchange.respond(status, lines, hasDate, body);
        done({ status, bytes: body.byteLength });
      },
      handover(prefetched) {
        exchange.handover(prefetched);
        done(null);
      },
      tunnel: () => exchange.tunnel(),
    });
    if (!taken) done(null);
    return taken;
  };
}

const prefetchedOf = new WeakMap<Request, unknown>();

/** setPrefetched attaches what the fast path did for `req` before handing it over. */
export function setPrefetched(req: Request, prefetched: unknown): void {
  prefetchedOf.set(req, prefetched);
}

/** takePrefetched returns (once) what the fast path did for `req` before handing it over, else undefined. */
export function takePrefetched(req: Request): unknown {
  const prefetched = prefetchedOf.get(req);
  if (prefetched !== undefined) prefetchedOf.delete(req);
  return prefetched;
}
