/**
 * ForwardProxy: the proxy a client is configured to use (`curl -x`,
 * `HTTPS_PROXY`), as goproxy, martian and proxy-chain are. It forwards
 * absolute-form requests through a Transport with the ReverseProxy's header
 * hygiene and serves CONNECT tunnels (connect-tunnel.ts), with Basic proxy
 * authentication and an allow-list hook.
 */
import { deleteHeaderNames } from '../message/header.js';
import type { IncomingRequest, Request } from '../message/request.js';
import { hasToken } from '../message/token-list.js';
import type { Response } from '../message/response.js';
import { statusText } from '../message/status-text.js';
import { ReverseProxy } from '../proxy/reverse-proxy.js';
import { FAST_CONNECT, type FastServe, takePrefetched } from '../server/fast-path.js';
import type { Handler, HandlerFunc, ResponseWriter } from '../server/handler.js';
import { originOf } from '../transport/dial.js';
import type { RoundTripper } from '../transport/round-tripper.js';
import {
  type ConnectConfig,
  type ConnectPrefetched,
  type Refusal,
  serveConnect,
  serveConnectFast,
  type TunnelEnd,
} from './connect-tunnel.js';
import { dialFailure, dialTCP, type Dialer } from './dial-target.js';
import { type ForwardTarget, parseAuthority } from './forward-target.js';
import { type Credentials, parseBasicCredentials, PROXY_AUTHENTICATE } from './proxy-auth.js';
import type { Tunnel } from './tunnel.js';
import { Interception, type MitmOptions } from './interception.js';

/** DEFAULT_DIAL_TIMEOUT: milliseconds to connect to a CONNECT target (Go's DefaultTransport dialer: 30 s). */
export const DEFAULT_DIAL_TIMEOUT = 30_000;
/** DEFAULT_TUNNEL_IDLE_TIMEOUT: milliseconds a tunnel may carry no byte either way before it is closed. */
export const DEFAULT_TUNNEL_IDLE_TIMEOUT = 300_000;

/** ForwardProxyOptions: every option is also a public property of the proxy, read at each request. */
export interface ForwardProxyOptions {
  /** Sends forwarded (absolute-form) requests; default: a Transport owned by the proxy, 128 idle connections per host (closed by `close()`). */
  transport?: RoundTripper | null;
  /** Opens tunnel connections (CONNECT); default: a TCP connection. Dial through another proxy to chain. */
  dial?: Dialer | null;
  /**
   * Checks the client's `Proxy-Authorization: Basic` credentials (null when
   * absent or malformed) for every proxied request and CONNECT; false
   * answers 407 with `Proxy-Authenticate: Basic realm="httpwire"`. Default
   * none: no authentication. Not asked for requests to `handler`.
   */
  authenticate?:
    ((credentials: Credentials | null, req: Request) => boolean | Promise<boolean>) | null;
  /** Decides whether `target` may be reached, after authentication; false answers 403 and nothing is dialed. Default: everything. */
  allow?: ((target: ForwardTarget, req: Request) => boolean | Promise<boolean>) | null;
  /**
   * Sees every allowed tunnel after the 200 went out, before anything is
   * dialed or copied. Returning a promise takes the tunnel over: the proxy
   * then neither dials nor copies, and the hook must close the sockets.
   */
  onTunnel?: ((tunnel: Tunnel) => void | Promise<void>) | null;
  /** Called once per tunnel the proxy copied (or dialed in vain after the 200 went out), with its bytes and duration. */
  onTunnelClose?: ((end: TunnelEnd) => void) | null;
  /** TLS interception (see MitmOptions and Interception); default none: tunnels are copied as they are. */
  mitm?: MitmOptions | null;
  /** Serves origin-form requests (`GET /path`) made to the proxy itself; default none: 400. */
  handler?: HandlerFunc | Handler | null;
  /** Milliseconds to connect to a tunnel's target; default 30000 (then 504). 0: no limit. */
  dialTimeout?: number;
  /**
   * Milliseconds a tunnel may be silent both ways (or `sniff` may wait)
   * before it is closed; default 300000. 0: no limit. A copied tunnel is
   * checked four times per period, so it closes up to a quarter later.
   */
  idleTimeout?: number;
  /**
   * The pseudonym in the `Via` line added to forwarded requests and their
   * responses (RFC 9110 §7.6.3), `1.1 httpwire` by default; null sends none.
   */
  via?: string | null;
  /** Where errors are logged; default: a line on stderr. */
  errorLog?: ((message: string) => void) | null;
}

/** What a Proxy-* field starts with: none is forwarded. */
const PROXY_PREFIX = 'proxy-';
const PROXY_FIELDS = { has: (lower: string) => lower.startsWith(PROXY_PREFIX) };

/**
 * ForwardProxy serves proxy requests on a `createServer` server:
 * absolute-form requests (`GET http://host/path`) are forwarded through
 * `transport` with the ReverseProxy's rules (hop-by-hop and
 * Connection-listed fields removed, 1xx, upgrades, trailers, streaming),
 * every `Proxy-*` field dropped, the client's `X-Forwarded-For` passed as
 * it came (none is added: like goproxy and proxy-chain, a forward proxy
 * does not announce its clients) and a `Via` line added. `CONNECT
 * host:port` opens a tunnel. A CONNECT without a port, with another target
 * form or with content gets 400; so does an origin-form request unless
 * `handler` serves it.
 */
export class ForwardProxy {
  transport: RoundTripper | null;
  dial: Dialer;
  authenticate: ForwardProxyOptions['authenticate'];
  allow: ForwardProxyOptions['allow'];
  onTunnel: ForwardProxyOptions['onTunnel'];
  onTunnelClose: ForwardProxyOptions['onTunnelClose'];
  handler: HandlerFunc | Handler | null;
  dialTimeout: number;
  idleTimeout: number;
  via: string | null;
  errorLog: ForwardProxyOptions['errorLog'];
  /** The interception made from the `mitm` option, or null; its `proxy` serves the decrypted requests. */
  mitm: Interception | null;
  readonly #reverse: ReverseProxy;

  constructor(options: ForwardProxyOptions = {}) {
    this.transport = options.transport ?? null;
    this.dial = options.dial ?? dialTCP;
    this.authenticate = options.authenticate ?? null;
    this.allow = options.allow ?? null;
    this.onTunnel = options.onTunnel ?? null;
    this.onTunnelClose = options.onTunnelClose ?? null;
    this.handler = options.handler ?? null;
    this.dialTimeout = options.dialTimeout ?? DEFAULT_DIAL_TIMEOUT;
    this.idleTimeout = options.idleTimeout ?? DEFAULT_TUNNEL_IDLE_TIMEOUT;
    this.via = options.via === undefined ? 'httpwire' : options.via;
    this.errorLog = options.errorLog ?? null;
    this.mitm =
      options.mitm == null ? null : new Interception(options.mitm, (message) => this.#log(message));
    this.#reverse = new ReverseProxy({
      // RFC 9112 §3.2.2: the Host line comes from the absolute-form target (fromHead set host so).
      director: () => undefined,
      proxy: (_rw, out, req, roundTrip) => {
        this.#tidy(out, req);
        return roundTrip(out);
      },
      modifyResponse: (res) => this.#viaResponse(res),
      errorHandler: (rw, _req, err) => {
        const failure = dialFailure(err);
        this.#log(`forward: ${failure.reason}`);
        return this.#refuse(rw, failure.status, failure.reason);
      },
      errorLog: (message) => this.#log(message),
    });
  }

  /** close closes the Transports the proxy made for itself (and for `mitm`), if any; tunnels are not touched. */
  close(): void {
    this.#reverse.close();
    this.mitm?.close();
  }

  /** serveHTTP answers one request received by the proxy's server. */
  async serveHTTP(rw: ResponseWriter, req: IncomingRequest): Promise<void> {
    const connect = req.method === 'CONNECT';
    if (!connect && req.url.scheme === '') {
      const handler = this.handler;
      if (handler == null) {
        return this.#refuse(
          rw,
          400,
          'not a proxy request (expected an absolute URL or CONNECT host:port)',
        );
      }
      return typeof handler === 'function' ? handler(rw, req) : handler.serveHTTP(rw, req);
    }
    const prefetched = takePrefetched(req) as ConnectPrefetched | undefined;
    if (prefetched !== undefined) {
      // The fast path checked and dialed this CONNECT already (serveConnectFast).
      if ('thrown' in prefetched) throw prefetched.thrown;
      return this.#answer(rw, prefetched.refusal);
    }
    let target: ForwardTarget;
    if (connect) {
      const connectTarget = this.#connectTarget(req);
      if (typeof connectTarget === 'string') return this.#refuse(rw, 400, connectTarget);
      target = connectTarget;
    } else {
      try {
        const origin = originOf(req.url);
        target = { host: origin.hostname.toLowerCase(), port: origin.port, method: req.method };
      } catch (err) {
        return this.#refuse(rw, 400, (err as Error).message);
      }
    }
    const refusal = await this.#checks(req, target);
    if (refusal !== null) return this.#answer(rw, refusal);
    if (!connect) {
      this.#reverse.transport = this.transport;
      return this.#reverse.serveHTTP(rw, req);
    }
    const mitm = this.mitm;
    const intercepting =
      mitm !== null && (mitm.intercept == null || (await mitm.intercept(target, req)));
    return serveConnect(rw, req, target, this.#connectConfig(intercepting ? mitm : null));
  }

  /**
   * [FAST_CONNECT]: the server's fast path for CONNECT (server/fast-path.ts)
   * while tunnels are only copied: no `onTunnel`, no interception. The
   * checks, the dial and the copy are the general path's; what differs is
   * that no ServerConn, ResponseWriter or hijack is made per tunnel.
   */
  get [FAST_CONNECT](): FastServe | null {
    return this.onTunnel == null && this.mitm === null ? this.#serveConnectFast : null;
  }

  readonly #serveConnectFast: FastServe = (req, exchange) => {
    if (this[FAST_CONNECT] === null) return false;
    const target = this.#connectTarget(req);
    if (typeof target === 'string') return false; // answered 400 by the general path
    const checks =
      this.authenticate == null && this.allow == null ? null : this.#checks(req, target);
    serveConnectFast(exchange, req, target, this.#connectConfig(null), checks);
    return true;
  };

  /** #connectTarget reads a CONNECT's target, or says why it is not `host:port` with no content. */
  #connectTarget(req: Request): ForwardTarget | string {
    const authority = req.url.path === '' ? parseAuthority(req.url.host) : null;
    if (authority === null)
      return `CONNECT wants host:port, got ${JSON.stringify(req.requestURI())}`;
    // RFC 9110 §9.3.6: a CONNECT request has no content.
    const length = req.header.get('Content-Length');
    if (req.contentLength !== 0 || (length !== null && length !== '0'))
      return 'CONNECT with content';
    return { host: authority.host, port: authority.port, method: 'CONNECT' };
  }

  /** #checks asks `authenticate`, then `allow`: the refusal (407, 403) or null to go on. */
  async #checks(req: Request, target: ForwardTarget): Promise<Refusal | null> {
    const authenticate = this.authenticate;
    if (authenticate != null) {
      const credentials = parseBasicCredentials(req.header.get('Proxy-Authorization'));
      if (!(await authenticate(credentials, req))) {
        return { status: 407, reason: 'proxy authentication required' };
      }
    }
    const allow = this.allow;
    if (allow != null && !(await allow(target, req))) {
      return { status: 403, reason: `${target.host}:${target.port} is not allowed` };
    }
    return null;
  }

  /** #answer answers a refusal; a 407 asks for Basic credentials. */
  #answer(rw: ResponseWriter, refusal: Refusal): Promise<void> {
    if (refusal.status === 407) rw.header().set('Proxy-Authenticate', PROXY_AUTHENTICATE);
    return this.#refuse(rw, refusal.status, refusal.reason);
  }

  #connectConfig(mitm: Interception | null): ConnectConfig {
    const idleTimeout = this.idleTimeout;
    const log = this.#logLine;
    return {
      intercept: mitm === null ? null : (tunnel) => mitm.serve(tunnel, idleTimeout, log),
      dial: this.dial,
      dialTimeout: this.dialTimeout,
      idleTimeout,
      onTunnel: this.onTunnel ?? null,
      onTunnelClose: this.onTunnelClose ?? null,
      log,
      refuse: this.#refuseLine,
    };
  }

  readonly #logLine = (message: string): void => this.#log(message);
  readonly #refuseLine = (rw: ResponseWriter, status: number, reason: string): void =>
    void this.#refuse(rw, status, reason);

  /**
   * #tidy finishes the outgoing request after the ReverseProxy's hop-by-hop
   * removal: every `Proxy-*` field goes, `X-Forwarded-For` is the client's
   * own (the ReverseProxy appended the client IP), `Via` is added.
   */
  #tidy(out: Request, req: Request): void {
    deleteHeaderNames(out.header, PROXY_FIELDS);
    const forwarded = req.header.values('X-Forwarded-For');
    if (forwarded.length === 0 || hasToken(req.header.values('Connection'), 'x-forwarded-for')) {
      out.header.delete('X-Forwarded-For');
    } else {
      out.header.set('X-Forwarded-For', forwarded);
    }
    if (this.via !== null) out.header.add('Via', `${req.protoMajor}.${req.protoMinor} ${this.via}`);
  }

  #viaResponse(res: Response): void {
    if (this.via !== null) res.header.add('Via', `${res.protoMajor}.${res.protoMinor} ${this.via}`);
  }

  /** #refuse answers with `status` and a one-line text body naming the reason, and closes the connection. */
  async #refuse(rw: ResponseWriter, status: number, reason: string): Promise<void> {
    if (rw.headerWritten) return;
    const header = rw.header();
    header.set('Content-Type', 'text/plain; charset=utf-8');
    header.set('Connection', 'close');
    rw.writeHeader(status);
    try {
      await rw.write(`${status} ${statusText(status)}: ${reason}\n`);
    } catch {
      // the client is gone: nothing to tell
    }
  }

  #log(message: string): void {
    if (this.errorLog != null) this.errorLog(message);
    else process.stderr.write(`${message}\n`);
  }
}
