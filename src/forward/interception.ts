/**
 * Interception: the ForwardProxy's `mitm` option, in martian's shape. A
 * tunnel whose first bytes are a TLS handshake is terminated here with a
 * certificate issued for its SNI name (or the CONNECT host); plain HTTP
 * is read as it is. Either way the requests inside are served by a
 * ReverseProxy, which sends them on to the CONNECT target.
 */
import type { Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import type { Request } from '../message/request.js';
import { ReverseProxy } from '../proxy/reverse-proxy.js';
import type { ResponseWriter } from '../server/handler.js';
import { createServer } from '../server/server.js';
import { Transport } from '../transport/transport.js';
import type { ForwardTarget } from './forward-target.js';
import type { Tunnel } from './tunnel.js';

/** CertificateIssuer: what interception needs of a CA; `CertificateAuthority` (httpwire/mitm) is one. */
export interface CertificateIssuer {
  secureContextFor(hostname: string): Promise<SecureContext>;
}

/** MitmOptions: the ForwardProxy's `mitm` option. */
export interface MitmOptions {
  /** Issues the certificates shown to clients, who must trust it (`CertificateAuthority`). */
  ca: CertificateIssuer;
  /** Decides per CONNECT whether to intercept (after `allow`); false tunnels as is. Default: every tunnel. */
  intercept?: ((target: ForwardTarget, req: Request) => boolean | Promise<boolean>) | null;
  /**
   * Verify origin certificates with Node's trust store; default true. False
   * accepts any certificate an origin shows, so anyone on the path to the
   * origin can read and change the traffic: dangerous, for tests only.
   */
  rejectUnauthorized?: boolean;
  /** The ReverseProxy that serves intercepted requests; default: see `Interception.proxy`. */
  proxy?: ReverseProxy | null;
}

/**
 * Interception is `forwardProxy.mitm`: the options as mutable properties and
 * the ReverseProxy at `proxy`. Inside a tunnel every request is made
 * absolute before `proxy` sees it: `https://host:port/...` (or `http://`
 * for plain HTTP), the CONNECT target's host and port, whatever the
 * request said, so `director`, `rewrite`, `modifyResponse` and
 * `errorHandler` see where it goes. Keep-alive and pipelining inside the
 * tunnel work; upgrades (WebSocket) are relayed.
 */
export class Interception {
  ca: CertificateIssuer;
  intercept: MitmOptions['intercept'];
  /** Whether the default `proxy` verifies origins; read when it is made. */
  readonly rejectUnauthorized: boolean;
  /**
   * Serves the decrypted requests. The default uses a no-op `rewrite` (no
   * X-Forwarded-* added: a forward proxy does not announce its clients; set
   * `rewrite = null` to use a `director`) and its own Transport, pooling
   * like the ReverseProxy's (128 idle connections per origin), verifying
   * origins unless `rejectUnauthorized` is false; it answers 502 for an
   * origin it cannot reach or whose certificate fails. Replaceable.
   */
  proxy: ReverseProxy;
  readonly #transport: Transport | null;

  /** Made by the ForwardProxy from its `mitm` option; the default `proxy` logs to `errorLog`. */
  constructor(options: MitmOptions, errorLog: (message: string) => void) {
    this.ca = options.ca;
    this.intercept = options.intercept ?? null;
    this.rejectUnauthorized = options.rejectUnauthorized ?? true;
    if (options.proxy != null) {
      this.proxy = options.proxy;
      this.#transport = null;
    } else {
      this.#transport = new Transport({
        maxIdleConnsPerHost: 128,
        tls: { rejectUnauthorized: this.rejectUnauthorized },
      });
      this.proxy = new ReverseProxy({
        rewrite: () => undefined,
        transport: this.#transport,
        errorLog,
      });
    }
  }

  /** close closes the Transport the default `proxy` uses; tunnels are not touched. */
  close(): void {
    this.#transport?.close();
  }

  /**
   * serve takes over `tunnel` when it starts with TLS or HTTP and resolves
   * once its connection has been handed to a server; false (for anything
   * else) leaves it to the ForwardProxy's copy. Waiting for the first bytes
   * and the TLS handshake are bounded by `idleTimeout`; a failure is logged
   * and closes the client connection.
   */
  async serve(
    tunnel: Tunnel,
    idleTimeout: number,
    log: (message: string) => void,
  ): Promise<boolean> {
    const { host, port } = tunnel.target;
    const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const socket = tunnel.client.socket;
    try {
      const kind = await tunnel.sniff();
      if (kind === 'other') return false;
      if (kind === 'http') {
        unshiftHead(socket, tunnel.client.head);
        this.#serveConn(socket, `http://${authority}`);
        return true;
      }
      const hello = await tunnel.clientHello();
      const context = await this.ca.secureContextFor(hello?.serverName || host);
      unshiftHead(socket, tunnel.client.head);
      const tls = await handshake(socket, context, idleTimeout);
      this.#serveConn(tls, `https://${authority}`);
    } catch (err) {
      log(`forward: intercepting ${authority}: ${(err as Error).message}`);
      socket.destroy();
    }
    return true;
  }

  /** #serveConn serves the requests of one tunnel, each made absolute with `base` (`scheme://host:port`). */
  #serveConn(socket: Socket, base: string): void {
    const scheme = base.slice(0, base.indexOf(':'));
    const host = base.slice(scheme.length + 3);
    const server = createServer((rw: ResponseWriter, req: Request) => {
      req.url = { ...req.url, scheme, host };
      return this.proxy.serveHTTP(rw, req);
    });
    void server.serveConn(socket);
    if (socket.readableFlowing === false) socket.resume(); // a peek paused it; the server listens now
  }
}

/** unshiftHead puts peeked bytes back in front of the socket's stream. */
function unshiftHead(socket: Socket, head: Buffer): void {
  if (head.length > 0) socket.unshift(head);
}

/** handshake terminates TLS on `socket` with `context`, offering only http/1.1; it fails after `timeout` ms (0: never). */
function handshake(socket: Socket, context: SecureContext, timeout: number): Promise<TLSSocket> {
  const tls = new TLSSocket(socket, {
    isServer: true,
    secureContext: context,
    ALPNProtocols: ['http/1.1'],
  });
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const settle = (err: Error | null) => {
      clearTimeout(timer);
      tls.off('secure', onSecure);
      tls.off('error', settle);
      tls.off('close', onClose);
      if (err === null) {
        resolve(tls);
      } else {
        tls.on('error', noop);
        tls.destroy();
        reject(err);
      }
    };
    const onSecure = () => settle(null);
    const onClose = () =>
      settle(new Error('client closed the connection during the TLS handshake'));
    tls.once('secure', onSecure);
    tls.once('error', settle);
    tls.once('close', onClose);
    if (timeout > 0) {
      timer = setTimeout(() => settle(new Error(`no TLS handshake within ${timeout} ms`)), timeout);
    }
  });
}

function noop(): void {}
