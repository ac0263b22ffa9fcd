import { once } from 'node:events';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { createServer as createTLSServer, type TlsOptions } from 'node:tls';
import type { ConnOptions } from '../conn/conn-options.js';
import { errorResponse, lingerClose } from './error-response.js';
import type { Handler, HandlerFunc } from './handler.js';
import { connectionChannel } from './channels.js';
import { type ConnectionConfig, ConnectionLoop } from './connection-loop.js';
import { FastConnection } from './fast-connection.js';
import { fastPathsOf } from './fast-path.js';
import { DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT } from './timeouts.js';

/**
 * ServerOptions: every field is optional. Timeouts are in milliseconds; 0
 * turns one off. docs/limits.md lists every limit, what is answered at it
 * and how Go, node:http and undici set the same one.
 */
export interface ServerOptions {
  /** Largest request head (and trailer section) in bytes; default 65536 (431 beyond). */
  maxHeaderBytes?: number;
  /** Most header fields in a request head (and trailer fields in its trailer section); default 256 (431 beyond). */
  maxHeaderCount?: number;
  /** Largest request line, CRLF included, in bytes; default 8192 (414 beyond, as soon as the line passes it). */
  maxRequestLineBytes?: number;
  /** Most chunk extension bytes in one request body; default 16384 (413 beyond, as Node answers). */
  maxChunkExtensionBytes?: number;
  /**
   * Largest request body in bytes; default null, no limit. A larger
   * Content-Length is answered 413 before the handler runs; a chunked body
   * growing past it fails the handler's body read with `ERR_BODY_TOO_LARGE`
   * (413 if the handler lets that error through before answering). The
   * connection closes either way.
   */
  maxRequestBodyBytes?: number | null;
  /** Request bytes read ahead of the parser (pipelined requests) before the socket is paused; default 65536. */
  readAhead?: number;
  /**
   * Connections served at once; default null, no limit. A connection
   * beyond it is answered `503 Service Unavailable` with `Connection:
   * close` at once, without reading its request, and closed.
   */
  maxConnections?: number | null;
  /** llhttp lenient flags (`LENIENT_FLAGS`) for reading requests; default 0, strict. */
  lenient?: number;
  /**
   * Answer `400 Bad Request` to an HTTP/1.1 request without a Host line
   * (not CONNECT), as RFC 9112 §3.2, Go and node:http do; default true.
   */
  requireHostHeader?: boolean;
  /**
   * From the first byte of a request (for the first request of a
   * connection: from the accept) until its head is complete; default
   * 30000. Then `408 Request Timeout` and the connection closes (a
   * connection that sent nothing is just closed). Stops slowloris clients.
   */
  headerTimeout?: number;
  /** How long a kept-alive connection may wait for its next request before it is closed; default 60000. */
  idleTimeout?: number;
  /** Longest silence from the client while a request body is incomplete; default 300000. The connection is then destroyed. */
  bodyTimeout?: number;
  /** `tls.createServer` options: `listen` then serves HTTPS. Default none (plain HTTP). */
  tls?: TlsOptions | null;
  /**
   * TCP_NODELAY on served connections (Nagle off; `serveConn` sockets too); default true, as Go's
   * net package and node:http (`noDelay`). A response's later small writes
   * (stream chunks, a tunnel's bytes) then never wait for a delayed ACK.
   */
  noDelay?: boolean;
  /** Where handler errors and other server errors go; default a line on stderr. */
  errorLog?: ((message: string) => void) | null;
}

/**
 * Server serves HTTP/1.1 with a handler (Go's http.Server), built on
 * ServerConn: one connection's requests are answered one at a time, in
 * order, each with its own ResponseWriter (a handler with a fast path
 * answers plain requests without one: fast-path.ts). Listen with
 * `listen`, or hand it accepted sockets with `serveConn`.
 */
export class Server {
  readonly #config: ConnectionConfig;
  readonly #handler: HandlerFunc | Handler; // as given: it may have a fast path
  readonly #tls: TlsOptions | null;
  readonly #maxConnections: number;
  readonly #noDelay: boolean;
  readonly #connections = new Set<ConnectionLoop | FastConnection>();
  #listener: ReturnType<typeof createNetServer> | null = null;
  #shuttingDown = false;
  #closing: Promise<void> | null = null;

  /** Use `createServer`. */
  constructor(handler: HandlerFunc | Handler, options: ServerOptions = {}) {
    const serveHTTP =
      typeof handler === 'function'
        ? handler
        : (rw: Parameters<HandlerFunc>[0], req: Parameters<HandlerFunc>[1]) =>
            handler.serveHTTP(rw, req);
    this.#handler = handler;
    const errorLog =
      options.errorLog ?? ((message: string) => process.stderr.write(`httpwire: ${message}\n`));
    this.#tls = options.tls ?? null;
    this.#maxConnections = options.maxConnections ?? Infinity;
    this.#noDelay = options.noDelay ?? true;
    const connOptions: ConnOptions = {
      maxHeaderBytes: options.maxHeaderBytes,
      maxHeaderCount: options.maxHeaderCount,
      maxRequestLineBytes: options.maxRequestLineBytes,
      maxChunkExtensionBytes: options.maxChunkExtensionBytes,
      maxBodyBytes: options.maxRequestBodyBytes,
      readAhead: options.readAhead,
      lenient: options.lenient ?? 0,
      requireHostHeader: options.requireHostHeader ?? true,
    };
    this.#config = {
      handler: { serveHTTP },
      connOptions,
      headerTimeout: options.headerTimeout ?? DEFAULT_HEADER_TIMEOUT,
      idleTimeout: options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
      bodyTimeout: options.bodyTimeout ?? DEFAULT_BODY_TIMEOUT,
      errorLog,
      shuttingDown: () => this.#shuttingDown,
    };
  }

  /**
   * listen accepts connections on `host` (default 127.0.0.1) and `port`
   * (default 0: any free port) and resolves with the bound address. HTTPS
   * when the `tls` option is set. A server listens once.
   */
  async listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    if (this.#listener !== null || this.#shuttingDown) {
      throw new Error('server: listen called twice or after close');
    }
    const onSocket = (socket: Socket) => void this.serveConn(socket);
    const listener =
      this.#tls === null ? createNetServer(onSocket) : createTLSServer(this.#tls, onSocket);
    if (this.#tls !== null) listener.on('tlsClientError', () => undefined); // a failed handshake is the client's business
    this.#listener = listener;
    listener.listen(port, host);
    await once(listener, 'listening'); // rejects on 'error' (EADDRINUSE)
    return listener.address() as AddressInfo;
  }

  /** address returns the bound address while listening, else null. */
  address(): AddressInfo | null {
    const address = this.#listener?.address();
    return address != null && typeof address === 'object' ? address : null;
  }

  /**
   * serveConn serves an accepted socket (plain or TLS) until it closes or a
   * handler hijacks it; it resolves then and never rejects. After `close()`
   * the socket is destroyed at once; beyond `maxConnections` it is
   * answered 503 and closed.
   */
  serveConn(socket: Socket): Promise<void> {
    if (this.#shuttingDown || socket.destroyed) {
      socket.destroy();
      return Promise.resolve();
    }
    if (this.#connections.size >= this.#maxConnections) {
      socket.on('error', () => {}); // the client may reset it: nothing to report
      socket.write(errorResponse(503, 'too many connections'), 'latin1');
      lingerClose(socket);
      return Promise.resolve();
    }
    // Here, not at the listener: a socket the caller accepted gets it too.
    if (this.#noDelay) socket.setNoDelay(true);
    // The paths split here: a handler with a fast path (fast-path.ts) gets its connections by callbacks.
    const fast = fastPathsOf(this.#handler);
    const connection =
      fast === null
        ? new ConnectionLoop(socket, this.#config)
        : new FastConnection(socket, this.#config, fast);
    if (connectionChannel.hasSubscribers) connectionChannel.publish({ socket });
    this.#connections.add(connection);
    void connection.serve(); // it never rejects; `done` says when the connection is gone
    return connection.done.then(() => {
      this.#connections.delete(connection);
    });
  }

  /**
   * close stops accepting connections, closes idle ones at once, lets each
   * request in flight finish (its response then closes its connection) and
   * resolves once every connection is gone; hijacked ones are not waited
   * for. Calling it again returns the same promise.
   *
   * `idleGrace` (ms, default 0) keeps idle keep-alive connections open that
   * long: a request arriving meanwhile is answered, with `Connection:
   * close`. A client that sends on an idle connection just as it closes
   * sees it fail; the grace lets busy clients move over cleanly (a rolling
   * restart behind a shared port).
   */
  close(options: { idleGrace?: number } = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options.idleGrace ?? 0);
    return this.#closing;
  }

  async #shutdown(idleGrace: number): Promise<void> {
    this.#shuttingDown = true;
    // Not waiting for the listener's close callback: it also waits for hijacked sockets.
    this.#listener?.close();
    const closeIdle = () => {
      for (const connection of this.#connections) connection.closeIfIdle();
    };
    const grace = idleGrace > 0 ? setTimeout(closeIdle, idleGrace) : null;
    if (grace === null) closeIdle();
    await Promise.all([...this.#connections].map((connection) => connection.done));
    if (grace !== null) clearTimeout(grace);
  }
}

/** createServer returns a Server answering requests with `handler`: a function `(rw, req)` or an object with `serveHTTP(rw, req)`. */
export function createServer(handler: HandlerFunc | Handler, options?: ServerOptions): Server {
  return new Server(handler, options);
}
