import type { Socket } from 'node:net';
import { ProtocolError } from '../errors.js';
import type { Request } from '../message/request.js';
import { type ClientHello, clientHelloRecordLength, parseClientHello } from './client-hello.js';
import { sniffKind, type TunnelKind } from './sniff.js';

/** TunnelClient: the client's side of a tunnel. */
export interface TunnelClient {
  /** The client's socket, hijacked from the server; the 200 has been written on it. */
  readonly socket: Socket;
  /**
   * Bytes the client sent after the CONNECT head (pipelined with it), then
   * every byte `sniff()` or `clientHello()` peeked at: they come before
   * whatever the socket yields next. Read it after those promises settle.
   */
  readonly head: Buffer;
}

let seal: (tunnel: Tunnel) => Promise<void>;

/**
 * sealTunnel waits for the peeks started so far and then stops new ones
 * from reading the socket (they see `client.head` as it is): the proxy
 * calls it before it copies the tunnel itself.
 */
export function sealTunnel(tunnel: Tunnel): Promise<void> {
  return seal(tunnel);
}

/** The longest peek `clientHello()` makes: one TLS record (2^14 + 256) and its header. */
const MAX_PEEK = (1 << 14) + 256 + 5;

/**
 * Tunnel is one CONNECT the proxy accepted, as `onTunnel` sees it: the
 * target, the CONNECT request, the client side, and ways to peek at the
 * client's first bytes (martian's `Peek`) and to dial the target with the
 * proxy's own dialer. The proxy copies `client.head` first when it runs
 * the tunnel itself, so peeked bytes are never lost.
 */
export class Tunnel {
  /** Where the client asked to go. */
  readonly target: { readonly host: string; readonly port: number };
  /** The CONNECT request. */
  readonly request: Request;
  readonly client: TunnelClient;
  readonly #socket: Socket;
  readonly #dial: () => Promise<Socket>;
  readonly #peekTimeout: number;
  #head: Buffer;
  #peeking: Promise<void> | null = null; // one peek at a time; later peeks chain on it
  #sealed = false; // the proxy reads the socket now: later peeks see `#head` only

  /** Made by the ForwardProxy for each tunnel. */
  constructor(
    target: { host: string; port: number },
    request: Request,
    client: { socket: Socket; head: Buffer },
    dial: () => Promise<Socket>,
    peekTimeout: number,
  ) {
    this.target = Object.freeze({ host: target.host, port: target.port });
    this.request = request;
    this.#socket = client.socket;
    this.#head = client.head;
    this.#dial = dial;
    this.#peekTimeout = peekTimeout;
    const head = () => this.#head;
    this.client = {
      socket: client.socket,
      get head() {
        return head();
      },
    };
  }

  /**
   * sniff resolves with what the client's first bytes look like — 'tls'
   * (a TLS handshake record), 'http' (a request line's method) or 'other'
   * — waiting for them without consuming them (they end up in
   * `client.head`). A client that ends the tunnel before sending anything
   * gives 'other'. Call it from `onTunnel` itself: once the proxy copies
   * the tunnel, a later call only looks at `client.head`. It rejects with `ERR_TUNNEL_IDLE` (and the client socket
   * is destroyed) when nothing decisive arrives within the proxy's
   * `idleTimeout`.
   */
  async sniff(): Promise<TunnelKind> {
    await this.#peek((head) => sniffKind(head) !== null);
    return sniffKind(this.#head) ?? 'other';
  }

  /**
   * clientHello waits for the client's first TLS record and resolves with
   * its SNI name and ALPN list (see `parseClientHello`), or null when the
   * tunnel does not start with a well-formed ClientHello. Like `sniff` it
   * consumes nothing and is bounded by `idleTimeout`.
   */
  async clientHello(): Promise<ClientHello | null> {
    await this.#peek((head) => {
      const length = clientHelloRecordLength(head);
      return length < 0 || (length > 0 && head.length >= length);
    });
    return parseClientHello(this.#head);
  }

  /** dial connects to the target with the proxy's dialer and dial timeout (see ForwardProxy `dial`). */
  dial(): Promise<Socket> {
    return this.#dial();
  }

  static {
    seal = async (tunnel) => {
      while (tunnel.#peeking !== null) await tunnel.#peeking.catch(() => undefined);
      tunnel.#sealed = true;
    };
  }

  /** #peek reads the client socket into `#head` until `enough` holds, the socket ends, or the peek times out. */
  #peek(enough: (head: Buffer) => boolean): Promise<void> {
    const run = async (): Promise<void> => {
      const running = this.#peeking;
      if (running !== null) await running.catch(() => undefined);
      if (this.#sealed || enough(this.#head) || this.#head.length >= MAX_PEEK) return;
      await this.#read(enough);
    };
    const peeking = run();
    this.#peeking = peeking;
    const clear = () => {
      if (this.#peeking === peeking) this.#peeking = null;
    };
    peeking.then(clear, clear);
    return peeking;
  }

  #read(enough: (head: Buffer) => boolean): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed || socket.readableEnded) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (err: Error | null) => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('close', onEnd);
        socket.pause();
        if (err === null) {
          resolve();
        } else {
          socket.destroy();
          reject(err);
        }
      };
      const onData = (chunk: Buffer) => {
        this.#head = this.#head.length === 0 ? chunk : Buffer.concat([this.#head, chunk]);
        if (enough(this.#head) || this.#head.length >= MAX_PEEK) done(null);
      };
      const onEnd = () => done(null);
      const ms = this.#peekTimeout;
      const timer =
        ms > 0
          ? setTimeout(
              () =>
                done(
                  new ProtocolError(
                    'ERR_TUNNEL_IDLE',
                    `tunnel to ${this.target.host}:${this.target.port}: nothing from the client within ${ms} ms`,
                  ),
                ),
              ms,
            )
          : undefined;
      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.once('close', onEnd);
      socket.resume(); // a hijacked socket may come paused
    });
  }
}
