/**
 * The CONNECT side of the ForwardProxy: dial the target, answer `200
 * Connection established`, and copy both ways until both sides are done
 * or the tunnel idles; or hand the tunnel to `onTunnel` first.
 */
import type { Socket } from 'node:net';
import { clientGone } from '../errors.js';
import { IdleSweep } from '../io/idle-sweep.js';
import { type AbortWatch, LazyAbort } from '../message/abort-watch.js';
import { type Request, requestAbort } from '../message/request.js';
import { copySwitchedProtocol } from '../proxy/switch-protocol-copier.js';
import type { FastExchange } from '../server/fast-path.js';
import type { ResponseWriter } from '../server/handler.js';
import { dialFailure, dialWithin, type Dialer } from './dial-target.js';
import { sealTunnel, Tunnel } from './tunnel.js';

/** TunnelEnd: how a tunnel the proxy copied went, for `onTunnelClose`. */
export interface TunnelEnd {
  /** `host:port` as the client asked (IPv6 in brackets). */
  target: string;
  /** The client's `ip:port`. */
  remoteAddr: string;
  /** Bytes from the client to the target, the ones pipelined after the CONNECT head included. */
  bytesToTarget: number;
  /** Bytes from the target to the client. */
  bytesFromTarget: number;
  /** Milliseconds from the CONNECT request to the end of the copy. */
  durationMs: number;
  /** Why the tunnel ended early (`idle`, a socket error, a dial failure), or null when both sides ended cleanly. */
  error: string | null;
}

/** ConnectConfig: what the tunnel code needs of its ForwardProxy, read once per CONNECT. */
export interface ConnectConfig {
  dial: Dialer;
  dialTimeout: number;
  idleTimeout: number;
  onTunnel: ((tunnel: Tunnel) => unknown) | null;
  /** Interception (`mitm`) for this CONNECT: resolves true when it took the tunnel, false to leave it to the copy. */
  intercept: ((tunnel: Tunnel) => Promise<boolean>) | null;
  onTunnelClose: ((end: TunnelEnd) => void) | null;
  log(message: string): void;
  /** Answers the CONNECT with an error status and a reason (closing the connection). */
  refuse(rw: ResponseWriter, status: number, reason: string): void;
}

/** Refusal: the error status a CONNECT (or a proxy request) is answered with, and why. */
export interface Refusal {
  status: number;
  reason: string;
}

/**
 * serveConnect serves an allowed CONNECT to `target`. Without `onTunnel`
 * it dials first, so that a target it cannot reach gets 502 (504 when the
 * dial times out) with the reason in the body; then it writes the 200 and
 * copies. With `onTunnel` the 200 goes out first (the hook may want the
 * client's first bytes before anything is dialed); a failed dial then
 * closes the client connection and is logged.
 */
export async function serveConnect(
  rw: ResponseWriter,
  req: Request,
  target: { host: string; port: number },
  config: ConnectConfig,
): Promise<void> {
  const ended = new TunnelEnds(req, target);
  if (config.onTunnel === null && config.intercept === null) {
    const backend = await dialTarget(req, target, config);
    if (backend === null) return;
    if (isRefusal(backend)) {
      config.refuse(rw, backend.status, backend.reason);
      return;
    }
    const client = hijacked(rw);
    if (client === null) {
      backend.destroy();
      return;
    }
    return runTunnel(client, req, backend, config, ended);
  }
  const client = hijacked(rw);
  if (client === null) return;
  established(client.socket, req);
  const tunnel = new Tunnel(
    target,
    req,
    client,
    () =>
      dialWithin(config.dial, target.host, target.port, config.dialTimeout, closing(client.socket)),
    config.idleTimeout,
  );
  // The tunnel's owner: the hook when it returns a promise, else interception when it takes
  // it, else the default dial and copy below.
  let owned: unknown;
  try {
    owned = config.onTunnel?.(tunnel);
    if (isPromiseLike(owned)) await owned;
  } catch (err) {
    config.log(
      `forward: onTunnel for ${ended.target}: ${err instanceof Error ? err.message : String(err)}`,
    );
    client.socket.destroy();
    return;
  }
  if (isPromiseLike(owned)) return;
  if (config.intercept !== null && (await config.intercept(tunnel))) return;
  await sealTunnel(tunnel);
  // A client that ended while a peek was reading it: its end was seen there, not by the copy.
  if (client.socket.destroyed || client.socket.readableEnded) {
    client.socket.destroy();
    return;
  }
  let backend: Socket;
  try {
    backend = await tunnel.dial();
  } catch (err) {
    const reason = dialFailure(err).reason;
    config.log(`forward: CONNECT ${ended.target}: ${reason}`);
    config.onTunnelClose?.(ended.end(reason));
    client.socket.destroy();
    return;
  }
  return copyTunnel(client.socket, tunnel.client.head, backend, config, ended);
}

/**
 * serveConnectFast serves a CONNECT the server's fast path took (a proxy
 * without `onTunnel` or interception): `checks` (authentication and
 * `allow`, null when there are none), the dial, then the connection is
 * taken from the server with `exchange.tunnel()` and copied as
 * serveConnect copies it. A refusal, a failed dial or a check that throws
 * goes to the general path (`exchange.handover`) with what it found, for
 * the ForwardProxy to answer there (see ConnectPrefetched). It runs on
 * callbacks: a short tunnel's CPU is mostly its sockets', so every
 * promise and object saved here shows.
 */
export function serveConnectFast(
  exchange: FastExchange,
  req: Request,
  target: { host: string; port: number },
  config: ConnectConfig,
  checks: Promise<Refusal | null> | null,
): void {
  if (checks === null) {
    dialFast(exchange, req, target, config);
    return;
  }
  checks.then(
    (refusal) => {
      if (refusal === null) dialFast(exchange, req, target, config);
      else exchange.handover({ refusal } satisfies ConnectPrefetched);
    },
    (err: unknown) => exchange.handover({ thrown: err } satisfies ConnectPrefetched),
  );
}

function dialFast(
  exchange: FastExchange,
  req: Request,
  target: { host: string; port: number },
  config: ConnectConfig,
): void {
  const ended = config.onTunnelClose === null ? null : new TunnelEnds(req, target);
  void dialTarget(req, target, config).then((backend) => {
    if (backend === null) return;
    if (isRefusal(backend)) {
      exchange.handover({ refusal: backend } satisfies ConnectPrefetched);
      return;
    }
    const client = exchange.tunnel();
    if (client === null) backend.destroy();
    else void runTunnel(client, req, backend, config, ended);
  });
}

/** ConnectPrefetched: what a CONNECT's fast path hands over: a refusal to answer, or what a check threw. */
export type ConnectPrefetched = { refusal: Refusal } | { thrown: unknown };

/** TunnelEnds makes a tunnel's TunnelEnd, timed from the CONNECT request. */
class TunnelEnds {
  /** The target as `host:port` (IPv6 in brackets). */
  readonly target: string;
  readonly #remoteAddr: string;
  readonly #started = performance.now();

  constructor(req: Request, target: { host: string; port: number }) {
    this.target = authorityOf(target);
    this.#remoteAddr = req.remoteAddr;
  }

  end(error: string | null, toTarget = 0, fromTarget = 0): TunnelEnd {
    return {
      target: this.target,
      remoteAddr: this.#remoteAddr,
      bytesToTarget: toTarget,
      bytesFromTarget: fromTarget,
      durationMs: performance.now() - this.#started,
      error,
    };
  }
}

/**
 * dialTarget dials a CONNECT's target before anything is answered: the
 * socket, a Refusal (logged) when the dial failed, or null when the
 * client left meanwhile. It never rejects.
 */
function dialTarget(
  req: Request,
  target: { host: string; port: number },
  config: ConnectConfig,
): Promise<Socket | Refusal | null> {
  const abort = requestAbort(req);
  return dialWithin(config.dial, target.host, target.port, config.dialTimeout, abort).then(
    undefined,
    (err: unknown) => (abort?.aborted === true ? null : dialRefusal(err, target, config)),
  );
}

/** dialRefusal logs a failed dial to `target` and returns the status and reason to answer it with. */
function dialRefusal(
  err: unknown,
  target: { host: string; port: number },
  config: ConnectConfig,
): Refusal {
  const failure = dialFailure(err);
  config.log(`forward: CONNECT ${authorityOf(target)}: ${failure.reason}`);
  return failure;
}

/** authorityOf: `host:port`, IPv6 in brackets. */
function authorityOf(target: { host: string; port: number }): string {
  return target.host.includes(':')
    ? `[${target.host}]:${target.port}`
    : `${target.host}:${target.port}`;
}

/** The answers that open a tunnel, per HTTP/1 minor version: no Content-Length or Transfer-Encoding (RFC 9110 §9.3.6). */
const ESTABLISHED = [0, 1].map((minor) =>
  Buffer.from(`HTTP/1.${minor} 200 Connection established\r\n\r\n`, 'latin1'),
);

/** hijacked takes the client connection from the server; null when it is already gone. */
function hijacked(rw: ResponseWriter): { socket: Socket; head: Buffer } | null {
  try {
    return rw.hijack();
  } catch {
    return null;
  }
}

/** established writes the 200 on the client connection the proxy took. */
function established(client: Socket, req: Request): void {
  client.on('error', noop); // until the copy (or the hook) listens; a reset must not crash us
  // A tunnel carries someone else's protocol: its small writes go out at once, as the
  // target's do (the dial turns Nagle off too). With Nagle, an echo waits for the ACK of
  // the 200 and a short exchange costs a round of delayed ACKs. (Our Server turns Nagle off
  // on what it serves unless its `noDelay` is false; this is then a no-op.)
  client.setNoDelay(true);
  client.write(ESTABLISHED[req.protoMinor === 0 ? 0 : 1]!);
}

/** runTunnel answers 200 to a CONNECT whose target is dialed and copies the tunnel. */
function runTunnel(
  client: { socket: Socket; head: Buffer },
  req: Request,
  backend: Socket,
  config: ConnectConfig,
  ended: TunnelEnds | null,
): Promise<void> {
  established(client.socket, req);
  return copyTunnel(client.socket, client.head, backend, config, ended);
}

/**
 * copyTunnel copies both ways with half-close (`copySwitchedProtocol`),
 * `head` first; a tunnel with no byte either way for `idleTimeout` ms is
 * closed (within a quarter of it more). It reports the tunnel's end to `onTunnelClose`.
 */
async function copyTunnel(
  client: Socket,
  head: Buffer,
  backend: Socket,
  config: ConnectConfig,
  ended: TunnelEnds | null,
): Promise<void> {
  let idle = false;
  const onIdle = () => {
    idle = true;
    client.destroy();
  };
  // The client's bytes read and written cover both directions. A sweep shared by all
  // tunnels, not a socket timeout refreshed at every read and write (idle-sweep.ts).
  const unwatch =
    config.idleTimeout > 0 ? IdleSweep.of(config.idleTimeout).watch(client, onIdle) : null;
  const { toBackend, fromBackend } = await copySwitchedProtocol(client, backend, {
    userHead: head,
  });
  unwatch?.();
  if (config.onTunnelClose === null || ended === null) return;
  const failed = [toBackend, fromBackend].find((d) => d.end !== 'eof');
  const error = idle ? 'idle' : failed === undefined ? null : (failed.error?.message ?? failed.end);
  config.onTunnelClose(ended.end(error, toBackend.bytes, fromBackend.bytes));
}

/** closing returns an abort that fires when `socket` closes (a dial for a client that left stops). */
function closing(socket: Socket): AbortWatch {
  const abort = new LazyAbort();
  const gone = () => abort.abort(clientGone());
  if (socket.destroyed) gone();
  else socket.once('close', gone);
  return abort;
}

function isRefusal(value: Socket | Refusal): value is Refusal {
  return typeof (value as Partial<Refusal>).status === 'number';
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function noop(): void {}
