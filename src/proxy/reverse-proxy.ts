/**
 * ReverseProxy: Go's httputil.ReverseProxy (as of Go 1.22) on our own
 * server and transport. It takes an incoming request, sends it to a backend
 * and copies the response back, with Go's header rules (hop-by-hop removal,
 * TE: trailers, X-Forwarded-For), 1xx relaying, 101 upgrades, trailers,
 * flushing for streams, and a 502 when the backend fails.
 */
import { ErrAbortHandler, ErrHandled, errorMessage, UnavailableError } from '../errors.js';
import type { Detached } from '../io/socket-reader.js';
import { isEmptyHeader } from '../message/header.js';
import { Request } from '../message/request.js';
import type { Response } from '../message/response.js';
import { writeResponse } from '../message/write-message.js';
import type { ResponseWriter } from '../server/handler.js';
import { protocolSwitchError } from '../message/protocol-switch.js';
import { acceptsTrailers, removeHopByHopHeaders, requestUpgradeType } from './hop-headers.js';
import {
  closeBody,
  copyHeader,
  copyThrough,
  sendDirect,
  copyTrailers,
  flushLatency,
  relayInformational,
} from './copy-response.js';
import { errorChannel } from './channels.js';
import { MaxLatencyWriter } from './max-latency-writer.js';
import { cloneRequest, InboundRoundTrip } from './outbound-request.js';
import { newProxyRequest } from './proxy-request.js';
import { joinQuery, joinURLPath, parseTarget, type ProxyTarget } from './proxy-url.js';
import type { RoundTripper } from '../transport/round-tripper.js';
import { copySwitchedProtocol } from './switch-protocol-copier.js';
import { Transport } from '../transport/transport.js';
import { appendXForwardedFor } from './x-forwarded.js';
import { FAST_PATH, type FastServe, takePrefetched } from '../server/fast-path.js';
import type { BufferPool, ProxyHook, ReverseProxyOptions } from './reverse-proxy-options.js';
import { Prefetched, sendFast } from './fast-answer.js';
import { isPlainDirector, markPlainDirector } from './plain-director.js';

/**
 * OWN_TRANSPORT: the pool a proxy without a `transport` makes for itself.
 * Go's DefaultTransport keeps 2 idle connections per host, which makes a
 * busy proxy dial and close a backend connection for most requests (2.2×
 * the CPU per request in bench/proxy); a proxy talks to few hosts, so keep more.
 */
export const OWN_TRANSPORT = { maxIdleConnsPerHost: 128 } as const;

export type { BufferPool, ProxyHook, ReverseProxyOptions } from './reverse-proxy-options.js';

/** The trailer names of most responses: none (shared, never changed). */
const NO_NAMES: readonly string[] = Object.freeze([]);

/** ReverseProxy forwards requests to backends (Go's httputil.ReverseProxy). */
export class ReverseProxy {
  director: ReverseProxyOptions['director'];
  rewrite: ReverseProxyOptions['rewrite'];
  transport: RoundTripper | null;
  flushInterval: number;
  errorLog: ReverseProxyOptions['errorLog'];
  bufferPool: BufferPool | null;
  modifyResponse: ReverseProxyOptions['modifyResponse'];
  errorHandler: ReverseProxyOptions['errorHandler'];
  proxy: ProxyHook | null;
  debug: boolean;
  #ownTransport: Transport | null = null;

  constructor(options: ReverseProxyOptions = {}) {
    this.director = options.director ?? null;
    this.rewrite = options.rewrite ?? null;
    this.transport = options.transport ?? null;
    this.flushInterval = options.flushInterval ?? 0;
    this.errorLog = options.errorLog ?? null;
    this.bufferPool = options.bufferPool ?? null;
    this.modifyResponse = options.modifyResponse ?? null;
    this.errorHandler = options.errorHandler ?? null;
    this.proxy = options.proxy ?? null;
    this.debug = options.debug ?? false;
  }

  /** close closes the Transport the proxy made for itself, if any. */
  close(): void {
    this.#ownTransport?.close();
    this.#ownTransport = null;
  }

  /** serveHTTP proxies `req` and answers on `rw` (Go's ServeHTTP). */
  async serveHTTP(rw: ResponseWriter, req: Request): Promise<void> {
    if ((this.director == null) === (this.rewrite == null)) {
      return this.#fail(
        rw,
        req,
        new Error('ReverseProxy must have exactly one of director or rewrite set'),
      );
    }
    let out = this.#outbound(req);
    // As Go: the upgrade is read after the director, which may add or drop it.
    let upType: string;
    try {
      upType = requestUpgradeType(out.header, req.protoMajor, req.protoMinor);
    } catch (err) {
      return this.#fail(rw, req, err);
    }
    removeHopByHopHeaders(out.header, { keepTeTrailers: acceptsTrailers(req.header) });
    if (upType !== '') {
      // Restore what an upgrade needs after the hop-by-hop removal.
      out.header.set('Connection', 'Upgrade');
      out.header.set('Upgrade', upType);
    }
    if (this.rewrite != null) {
      const pr = newProxyRequest(req, out, { tls: req.tls });
      await this.rewrite(pr);
      out = pr.out;
    } else if (req.remoteAddr !== '') {
      appendXForwardedFor(out.header, req.remoteAddr); // go#38079: null means omit
    }

    // The paths split in [FAST_PATH] (the server's fast path), #roundTrip
    // (a proxy hook, a fast-path hand-over's replay), before modifyResponse
    // and in #copyBody (the direct body path); test/proxy/
    // reverse-proxy-paths.test.ts holds them byte for byte to no-op hooks.
    let answer: Response | typeof ErrHandled;
    try {
      answer = await this.#roundTrip(rw, out, req);
    } catch (err) {
      if (err === ErrHandled) return;
      return this.#fail(rw, out, err);
    }
    if (answer === ErrHandled) return;
    const res = answer as Response;
    if (this.debug) this.#log(`proxy: ${req.method} ${out.requestURI()} -> ${res.status}`);

    if (res.status === 101) {
      if (await this.#modify(rw, res, out)) return this.#upgrade(rw, out, req, res);
      this.#takeBackend(res)?.socket.destroy();
      return;
    }
    if (out.method === 'CONNECT' && res.status >= 200 && res.status <= 299) {
      // The backend opened a tunnel, which a ReverseProxy does not carry: close it, answer 502.
      this.#takeBackend(res)?.socket.destroy();
      return this.#fail(rw, out, new Error('ReverseProxy does not tunnel CONNECT'));
    }
    removeHopByHopHeaders(res.header);
    if (this.modifyResponse != null && !(await this.#modify(rw, res, out))) return;
    copyHeader(rw.header(), res.header);
    const announced = isEmptyHeader(res.trailer) ? NO_NAMES : res.trailer.names();
    if (announced.length > 0) rw.header().add('Trailer', announced.join(', '));
    rw.writeHeader(res.status);
    await this.#copyBody(rw, res);
    copyTrailers(rw, res, announced.length);
  }

  /**
   * [FAST_PATH]: the server's fast path (server/fast-path.ts) for this
   * proxy, while nothing but the round trip itself needs the full objects:
   * a plain director (plain-director.ts: it only sets the URL, and never
   * throws), no rewrite, proxy hook or modifyResponse, no buffer
   * pool, no debug log. Any RoundTripper and errorHandler will do: errors
   * are answered by the general path.
   */
  get [FAST_PATH](): FastServe | null {
    const plain =
      this.rewrite == null &&
      this.proxy == null &&
      this.modifyResponse == null &&
      this.bufferPool == null &&
      !this.debug &&
      isPlainDirector(this.director);
    return plain ? this.#serveFast : null;
  }

  /**
   * #serveFast takes a request from the fast path: the outgoing request
   * serveHTTP would build, sent the same way; a plain answer goes out in one
   * write (answerFast), anything else (errors too) goes to the general path
   * with what the round trip produced, which #roundTrip then replays.
   */
  readonly #serveFast: FastServe = (req, exchange) => {
    if (this[FAST_PATH] === null || req.header.has('Upgrade')) return false;
    const out = this.#outbound(req);
    removeHopByHopHeaders(out.header, { keepTeTrailers: acceptsTrailers(req.header) });
    if (req.remoteAddr !== '') appendXForwardedFor(out.header, req.remoteAddr);
    sendFast(exchange, req, out, this.#transport());
    return true;
  };

  /** #outbound: the outgoing copy of `req`, after the director, not closing. */
  #outbound(req: Request): Request {
    const out = cloneRequest(req);
    if (this.director != null) this.director(out);
    out.close = false;
    return out;
  }

  /** #send sends `out` with this proxy's transport, passing the backend's 1xx responses to `onInformational`. */
  #send(out: Request, req: Request, onInformational: (info: Response) => void): Promise<Response> {
    return this.#transport().roundTrip(out, new InboundRoundTrip(req, onInformational));
  }

  #transport(): RoundTripper {
    return this.transport ?? (this.#ownTransport ??= new Transport(OWN_TRANSPORT));
  }

  /**
   * #roundTrip sends `out` (through the proxy hook if any), relaying the
   * backend's 1xx responses to the client until it settles: a 1xx reported
   * after that is dropped, so it cannot touch the final response (go#65123).
   * A request the fast path handed over replays what it got instead.
   */
  async #roundTrip(
    rw: ResponseWriter,
    out: Request,
    req: Request,
  ): Promise<Response | typeof ErrHandled> {
    const prefetched = takePrefetched(req);
    if (prefetched instanceof Prefetched) return prefetched.replay(rw);
    let settled = false;
    const relay = (info: Response) => {
      if (!settled) relayInformational(rw, info);
    };
    const roundTrip = (o: Request) => this.#send(o, req, relay);
    try {
      return await (this.proxy != null ? this.proxy(rw, out, req, roundTrip) : roundTrip(out));
    } finally {
      settled = true;
    }
  }

  async #modify(rw: ResponseWriter, res: Response, out: Request): Promise<boolean> {
    if (this.modifyResponse == null) return true;
    try {
      await this.modifyResponse(res);
      return true;
    } catch (err) {
      await closeBody(res.body);
      await this.#fail(rw, out, err);
      return false;
    }
  }

  /**
   * #copyBody streams the backend body (Go's copyResponse); a failure
   * mid-body, reading or writing, aborts the client connection.
   */
  async #copyBody(rw: ResponseWriter, res: Response): Promise<void> {
    const body = res.body;
    if (body === null) return;
    const latency = flushLatency(res, this.flushInterval);
    // The paths split here: a known-length body with no hook to see it moves by callbacks (sendDirect).
    const direct = this.modifyResponse == null ? sendDirect(rw, res, latency) : null;
    let writeFailed = false; // the client side failed, not the backend's body
    const wrote = <T>(writing: Promise<T>) =>
      writing.catch((err: unknown) => {
        writeFailed = true;
        throw err;
      });
    const pool = this.bufferPool;
    const buf = pool?.get() ?? null; // Go takes one for every copy
    let writer: MaxLatencyWriter | null = null;
    try {
      if (direct !== null) {
        const readErr = await wrote(direct);
        if (readErr !== null) throw readErr;
      } else if (body.ended && latency === 0) {
        // Already off the wire whole (a small answer, the common case): one write, no flush timer.
        const all = await body.bytes();
        if (all.byteLength > 0) await wrote(rw.write(all));
      } else {
        const latencyWriter = (writer = new MaxLatencyWriter(rw, latency));
        const write = (chunk: Uint8Array) => wrote(latencyWriter.write(chunk));
        if (latency !== 0) await wrote(rw.flush()); // headers go out at once for streams (Go 1.22)
        if (buf === null) {
          for await (const chunk of body) await write(chunk);
        } else {
          await copyThrough(body, buf, write);
        }
      }
      if (!isEmptyHeader(res.trailer)) await wrote(rw.flush()); // force chunking so trailers can follow
    } catch (err) {
      await closeBody(body);
      if (!writeFailed) {
        if (errorChannel.hasSubscribers) errorChannel.publish({ request: res.request, error: err });
        this.#log(`httputil: ReverseProxy read error during body copy: ${errorMessage(err)}`);
      }
      throw ErrAbortHandler; // go#23643: never end a truncated body cleanly
    } finally {
      writer?.stop();
      if (buf !== null) pool!.put(buf);
    }
  }

  /**
   * #upgrade: Go's handleUpgradeResponse — a 101 that switches to the
   * protocol `out` asked for (as sent, after director or rewrite) hands both
   * sockets to a two-way copy; any other 101 gets 502 and the backend
   * connection is closed (our Transport refuses one before it gets here).
   */
  async #upgrade(rw: ResponseWriter, out: Request, req: Request, res: Response): Promise<void> {
    const backend = this.#takeBackend(res);
    const refused = protocolSwitchError(out, res);
    if (refused !== null) {
      backend?.socket.destroy(); // Go's handleUpgradeResponse leaves it to the GC; we close it now
      return this.#fail(rw, out, refused);
    }
    if (backend === null) {
      return this.#fail(
        rw,
        out,
        new Error("transport can't switch protocols: it has no hijack(res) for this response"),
      );
    }
    let client: Detached;
    try {
      client = rw.hijack();
    } catch (err) {
      backend.socket.destroy();
      return this.#fail(rw, out, err);
    }
    copyHeader(rw.header(), res.header);
    res.header = rw.header();
    res.body = null;
    try {
      await writeResponse(client.socket, res, { request: req });
    } catch (err) {
      client.socket.destroy();
      backend.socket.destroy();
      this.#log(`httputil: response write: ${errorMessage(err)}`);
      return;
    }
    // go#35559: a cancelled request closes the backend.
    await copySwitchedProtocol(client.socket, backend.socket, {
      userHead: client.head,
      backendHead: backend.head,
      signal: req.signal ?? undefined,
    });
  }

  /**
   * #takeBackend takes the backend socket of a 101 from the transport (its
   * `hijack(res)`), or returns null when the transport cannot hand one over.
   */
  #takeBackend(res: Response): Detached | null {
    const transport = (this.transport ?? this.#ownTransport) as
      (RoundTripper & { hijack?(res: Response): Detached }) | null;
    if (typeof transport?.hijack !== 'function') return null;
    try {
      return transport.hijack(res);
    } catch {
      return null; // not a response it switched (a hook's own 101)
    }
  }

  async #fail(rw: ResponseWriter, req: Request, err: unknown): Promise<void> {
    if (errorChannel.hasSubscribers) errorChannel.publish({ request: req, error: err });
    if (this.errorHandler != null) {
      await this.errorHandler(rw, req, err);
      return;
    }
    this.#log(`httputil: ReverseProxy proxy error: ${errorMessage(err)}`);
    if (rw.headerWritten) return;
    if (!(err instanceof UnavailableError)) return rw.writeHeader(502);
    // No backend could take it (Upstreams): 503, and when one is due back, when.
    const h = rw.header();
    h.set('Content-Type', 'text/plain; charset=utf-8');
    if (err.retryAfter !== null) h.set('Retry-After', String(err.retryAfter));
    rw.writeHeader(503);
    await rw.write(`${err.message}\n`).catch(() => undefined);
  }

  #log(message: string): void {
    if (this.errorLog != null) this.errorLog(message);
    else process.stderr.write(`${message}\n`);
  }
}

/**
 * newSingleHostReverseProxy returns a ReverseProxy sending every request to
 * `target`: the target's path is joined with the request's, queries are
 * merged, and the inbound Host is kept (Go's NewSingleHostReverseProxy).
 */
export function newSingleHostReverseProxy(
  target: ProxyTarget,
  options: ReverseProxyOptions = {},
): ReverseProxy {
  const t = parseTarget(target);
  const director = (out: Request) => {
    out.url = {
      ...out.url,
      scheme: t.scheme,
      host: t.host,
      path: joinURLPath(t.path, out.url.path),
      query: joinQuery(t.query, out.url.query),
    };
  };
  return new ReverseProxy({ ...options, director: markPlainDirector(director) });
}
