/**
 * Transport: Go's http.Transport for HTTP/1.1 on our ClientConn.
 *
 * The errors a round trip rejects with are listed in errors.ts.
 */
import type { ConnectionOptions } from 'node:tls';
import type { ConnOptions } from '../conn/conn-options.js';
import type { Detached } from '../io/socket-reader.js';
import type { AbortWatch } from '../message/abort-watch.js';
import { expectRequest } from '../message/expect-class.js';
import { Request } from '../message/request.js';
import { protocolSwitchError } from '../message/protocol-switch.js';
import type { IncomingResponse, Response } from '../message/response.js';
import * as channels from './channels.js';
import { dial, type Origin } from './dial.js';
import { OriginCache } from './origin-cache.js';
import { PersistConn } from './persist-conn.js';
import {
  abortWatchOf,
  FAST_ROUND_TRIP,
  type RoundTripOptions,
  type RoundTripper,
} from './round-tripper.js';
import { TransportBody } from './response-body.js';
import { HostPools, waitForSlot } from './host-pool.js';
import { exchangeError, replayable, retryAfter } from './retry-rules.js';
import { authorize, dialRoute, routeOf, type Route } from './proxy-route.js';
import { ProxyChooser } from './proxy-chooser.js';
import { abortError, transportClosed, transportError } from './errors.js';
import type { TransportOptions } from './transport-options.js';
import { notWritten } from './wire-facts.js';
import {
  rawExchange,
  rawExchangeFor,
  type RawExchangeHost,
  rawRoundTrip,
  type RawSink,
} from './raw-exchange.js';

export type { TransportOptions } from './transport-options.js';

/**
 * Transport is a RoundTripper that keeps connections alive and reuses
 * them, one pool per origin (`scheme://host:port`, plain TCP or TLS).
 * `roundTrip` takes the most recently idle connection or dials one, writes
 * the request and resolves with the response as soon as its head is read;
 * the body streams. A connection goes back to the pool once the response
 * body has been read off it to its end, unless either side asked to close.
 *
 * Bodies never pin connections for long: a body that fits in the buffer
 * (`connOptions.bodyHighWaterMark`, 64 KiB) is read off the connection
 * whether or not it is consumed; a larger one holds its connection until
 * it is read, `dump()`ed or abandoned (`break`), which closes the
 * connection, or until the Response is garbage collected, which closes it
 * too (while a `signal` given to `roundTrip` is alive, it keeps the body).
 *
 * A request that fails on a reused connection before any response byte
 * arrived is retried when it is idempotent (GET, HEAD, OPTIONS, TRACE, PUT,
 * DELETE or with an Idempotency-Key) or was not written at all, and its
 * body can be replayed (none, a string or bytes): the server closing idle
 * connections must not fail a request (Go's shouldRetryRequest). Each try
 * takes the next idle connection and closes it when it fails so, as Go
 * does, the request is retried until it reaches a connection that answers,
 * fails on a freshly dialed one, or fails in a way that is not retried.
 */
export class Transport implements RoundTripper {
  readonly #maxConns: number;
  readonly #dialTimeout: number;
  readonly #headerTimeout: number;
  readonly #tls: ConnectionOptions | undefined;
  readonly #connOptions: ConnOptions;
  readonly #max1xx: number | undefined;
  readonly #proxy: ProxyChooser | null;
  readonly #pools: HostPools;
  /** Origins parsed from URL hosts, by scheme: a proxy sends every request to the same few. */
  readonly #origins = new OriginCache();
  readonly #upgraded = new WeakMap<Response, PersistConn>(); // 101 responses whose socket waits for hijack()
  readonly #unread = new FinalizationRegistry<PersistConn>((pc) => pc.close()); // bodies or sockets dropped unread
  #closed = false;
  readonly #rawAllowed: boolean; // bodiless requests may take the raw exchange (raw-exchange.ts)

  constructor(options: TransportOptions = {}) {
    this.#maxConns = options.maxConnsPerHost ?? 0;
    this.#pools = new HostPools(options.maxIdleConnsPerHost ?? 2, options.idleTimeout ?? 90_000);
    this.#dialTimeout = options.dialTimeout ?? 30_000;
    this.#headerTimeout = options.responseHeaderTimeout ?? 0;
    this.#tls = options.tls;
    this.#connOptions = options.connOptions ?? {};
    this.#max1xx = options.max1xxResponses;
    this.#proxy = options.proxy === undefined ? null : new ProxyChooser(options.proxy);
    const { readTimeout, maxBodyBytes, onMessageBegin } = this.#connOptions; // ClientConn's reading only
    this.#rawAllowed =
      this.#proxy === null &&
      this.#maxConns === 0 &&
      this.#headerTimeout === 0 &&
      !(readTimeout !== undefined && readTimeout > 0) &&
      maxBodyBytes == null &&
      onMessageBegin === undefined;
  }

  /**
   * roundTrip sends `req` (an absolute http or https URL) and resolves with
   * its response once the head has been read; `res.request` is `req`. A
   * retried request is written again from a copy of `req` holding the
   * replayed body. errors.ts lists the errors.
   */
  roundTrip(req: Request, options: RoundTripOptions = {}): Promise<IncomingResponse> {
    if (!channels.errorChannel.hasSubscribers) return this.#roundTrip(req, options);
    return this.#roundTrip(req, options).catch((err: unknown) => {
      channels.errorChannel.publish({ request: req, error: err });
      throw err;
    });
  }

  /** #roundTrip: see roundTrip; `taken` is an idle connection already taken for its first try. */
  async #roundTrip(
    req: Request,
    options: RoundTripOptions,
    taken: PersistConn | null = null,
  ): Promise<IncomingResponse> {
    expectRequest(req, 'Transport.roundTrip');
    const abort = abortWatchOf(options);
    if (this.#closed) throw transportClosed();
    if (abort?.aborted === true) throw abortError(abort);
    // The paths split here: a bodiless request on an idle connection takes the raw exchange.
    if (taken === null && this.#rawAllowed) {
      const idle = rawExchangeFor(this.#rawHost, req, options);
      if (idle?.preferRaw === true) return rawRoundTrip(this.#rawHost, idle, req, options);
      taken = idle;
    }
    const origin = this.#origins.of(req.url);
    const route = this.#proxy === null ? null : routeOf(origin, this.#proxy.choose(req));
    const key = route?.key ?? origin.key;
    const replaying = replayable(req);
    const replay = replaying instanceof Promise ? await replaying : replaying;
    for (;;) {
      const wire = replay?.() ?? req;
      if (route !== null) authorize(route, wire);
      let pc: PersistConn;
      try {
        pc = taken ?? this.#pools.takeIdle(key) ?? (await this.#getConn(origin, route, abort));
        taken = null;
      } catch (err) {
        throw notWritten(err);
      }
      try {
        return await this.#exchange(pc, req, wire, abort, options.onInformational);
      } catch (err) {
        // Each retry uses up the stale conn it took, so the loop ends at a
        // conn that answers or at a fresh one, whose failure is final.
        if (!retryAfter(pc, req, replay !== null)) throw exchangeError(pc, err);
      }
    }
  }

  /**
   * [FAST_ROUND_TRIP] (internal, the ReverseProxy's fast path) takes the
   * raw exchange roundTrip would take for `req`, ending in `sink` by
   * callbacks (a plain answer's bytes apart, no Body); it returns false,
   * having done nothing, when roundTrip would take the general path.
   */
  [FAST_ROUND_TRIP](req: Request, options: RoundTripOptions, sink: RawSink): boolean {
    const idle =
      this.#rawAllowed && !this.#closed ? rawExchangeFor(this.#rawHost, req, options) : null;
    if (idle === null) return false;
    if (idle.preferRaw) rawExchange(this.#rawHost, idle, req, options, sink);
    else this.#roundTrip(req, options, idle).then(sink.response, sink.error);
    return true;
  }

  /** #rawHost: what a raw exchange asks of this Transport. */
  readonly #rawHost: RawExchangeHost = {
    takeIdle: (req) => {
      let origin: Origin;
      try {
        origin = this.#origins.of(req.url);
      } catch {
        return null; // roundTrip throws why
      }
      return this.#pools.takeIdle(origin.key);
    },
    release: (pc, reusable) => {
      if (reusable && pc.alive) this.#pools.putIdle(pc, this.#closed);
      else pc.close();
    },
    max1xxResponses: () => this.#max1xx,
    answered: (pc, req, res, abort, onAbort, onBody) =>
      this.#answered(pc, req, req, res, abort, onAbort, () => true, onBody),
    retry: (req, options) => this.roundTrip(req, options),
  };

  /**
   * hijack returns the socket of a 101 Switching Protocols response (or a
   * 2xx to CONNECT) that this transport returned, with the bytes read past
   * the response head. The socket is the caller's from then on; one not
   * taken is destroyed when the Response is garbage collected. Any other
   * response throws `ERR_NOT_UPGRADED`.
   */
  hijack(res: Response): Detached {
    const pc = this.#upgraded.get(res);
    if (pc === undefined) {
      throw transportError('ERR_NOT_UPGRADED', 'response did not switch protocols');
    }
    this.#upgraded.delete(res);
    this.#unread.unregister(res);
    return pc.hijack();
  }

  /** closeIdleConnections closes every idle connection; busy ones are left alone (Go's CloseIdleConnections). */
  closeIdleConnections(): void {
    this.#pools.closeIdle();
  }

  /**
   * close closes the idle connections and refuses new round trips with
   * `ERR_TRANSPORT_CLOSED`, as do requests waiting for a connection slot.
   * Exchanges in flight finish; their connections are then closed.
   */
  close(): void {
    this.#closed = true;
    this.#pools.rejectWaiting(transportClosed);
    this.closeIdleConnections();
  }

  /** #exchange writes `wire` on `pc` and reads its response; the body returns `pc` to the pool when done. */
  async #exchange(
    pc: PersistConn,
    req: Request,
    wire: Request,
    abort: AbortWatch | undefined,
    onInformational: RoundTripOptions['onInformational'],
  ): Promise<IncomingResponse> {
    if (abort?.aborted === true) throw abortError(abort); // while waiting for a handed-over conn
    const { conn } = pc;
    let stopped: Error | null = null; // abort or header timeout
    let settle!: { resolve(res: IncomingResponse): void; reject(err: Error): void };
    const outcome = new Promise<IncomingResponse>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const stop = (err: Error) => {
      stopped ??= err;
      settle.reject(err);
      pc.close();
    };
    let body: TransportBody | null = null;
    const onAbort = () => {
      const err = abortError(abort!);
      body?.fail(err);
      stop(err);
    };
    abort?.watch(onAbort);
    let timer: NodeJS.Timeout | undefined;
    let headRead = false; // or failed: no header timer from then on
    let wrote = false;
    let writeErr: Error | null = null;
    pc.begin();
    channels.publishRequest(req, pc.key, pc.socket, pc.reused);
    conn.write(wire).then(
      () => {
        wrote = true;
        const ms = this.#headerTimeout;
        if (ms > 0 && !headRead && stopped === null) {
          timer = setTimeout(() => {
            // Timers run before the event loop reads sockets: look again once
            // it has, so that a head already received wins.
            setImmediate(() => {
              if (headRead) return;
              stop(
                transportError('ERR_RESPONSE_HEADER_TIMEOUT', `no response head within ${ms} ms`),
              );
            });
          }, ms);
        }
      },
      (err: Error) => {
        writeErr = err;
        // A server may answer early and close while the body is still going
        // out (413, 401 on an upload): when the write failed because the
        // connection did, the read decides — a response that arrived anyway
        // wins over the write error. A failed body source fails at once.
        const socket = pc.socket;
        if (!socket.destroyed && socket.writable) settle.reject(err);
      },
    );
    conn
      .read(wire, { onInformational, max1xxResponses: this.#max1xx })
      .then(settle.resolve, settle.reject);
    let res: IncomingResponse;
    try {
      res = await outcome;
    } catch (err) {
      abort?.unwatch(onAbort);
      throw stopped ?? writeErr ?? err;
    } finally {
      headRead = true;
      clearTimeout(timer);
    }
    return this.#answered(
      pc,
      req,
      wire,
      res,
      abort,
      onAbort,
      () => wrote,
      (b) => (body = b),
    );
  }

  /**
   * #answered turns a response head read on `pc` into what roundTrip
   * resolves with: a switched connection waits for `hijack(res)` (a 101
   * that is no switch `wire` asked for is refused); otherwise the body is a
   * TransportBody that returns `pc` to the pool when read to its end.
   * `onAbort` is unwatched then; `onBody` learns the body (an abort fails it).
   */
  #answered(
    pc: PersistConn,
    req: Request,
    wire: Request,
    res: IncomingResponse,
    abort: AbortWatch | undefined,
    onAbort: () => void,
    wrote: () => boolean,
    onBody: (body: TransportBody) => void,
  ): IncomingResponse {
    res.request = req;
    channels.publishResponse(req, res, pc.socket);
    if (res.status === 101 || (req.method === 'CONNECT' && res.status >= 200 && res.status < 300)) {
      abort?.unwatch(onAbort);
      const refused = res.status === 101 ? protocolSwitchError(wire, res) : null;
      if (refused !== null) {
        pc.close(); // what follows the 101 is neither HTTP nor a protocol we asked for
        throw refused;
      }
      this.#upgraded.set(res, pc);
      this.#unread.register(res, pc, res);
      return res;
    }
    let tracked: TransportBody | null = null; // registered for the GC to close pc
    const responseBody = new TransportBody(
      res.body,
      this.#connOptions.bodyHighWaterMark ?? 65536,
      (clean) => {
        // May run in the constructor: the body came whole with the head.
        abort?.unwatch(onAbort);
        if (tracked !== null) this.#unread.unregister(tracked);
        if (clean && wrote() && !res.close && !wire.close && pc.alive)
          this.#pools.putIdle(pc, this.#closed);
        else pc.close();
      },
    );
    onBody(responseBody);
    // Whole with its head and framed by its length: the next answer is likely plain too.
    pc.preferRaw = responseBody.settled && res.contentLength >= 0 && res.status >= 200;
    res.body = responseBody;
    res.trailer = responseBody.trailer;
    if (!responseBody.settled) {
      tracked = responseBody;
      this.#unread.register(responseBody, pc, responseBody);
    }
    return res;
  }

  /** #getConn takes the most recently idle live connection for `origin` (via `route`), or waits for a slot and dials. */
  async #getConn(
    origin: Origin,
    route: Route | null,
    abort: AbortWatch | undefined,
  ): Promise<PersistConn> {
    if (this.#closed) throw transportClosed();
    const key = route?.key ?? origin.key;
    const idle = this.#pools.takeIdle(key);
    if (idle !== null) return idle;
    const pool = this.#pools.pool(key);
    if (this.#maxConns > 0 && pool.open >= this.#maxConns) {
      const handed = await waitForSlot(pool, abort);
      if (handed !== null) return handed;
    } else {
      pool.open++;
    }
    let socket;
    try {
      const options = { timeout: this.#dialTimeout, abort, tls: this.#tls };
      socket = await (route === null ? dial(origin, options) : dialRoute(route, options));
    } catch (err) {
      this.#pools.freeSlot(key);
      throw err;
    }
    if (this.#closed) {
      socket.destroy();
      this.#pools.freeSlot(key);
      throw transportClosed();
    }
    channels.publishConnect(key, socket);
    const onClosed = (pc: PersistConn) => this.#pools.onClosed(pc);
    return new PersistConn(key, socket, this.#connOptions, onClosed, route?.absoluteForm);
  }
}
