import type { Socket } from 'node:net';
import { newClientConn } from '../conn/client-conn.js';
import { ProtocolError } from '../errors.js';
import { Request } from '../message/request.js';
import { dial, type DialOptions, type Origin } from './dial.js';
import { abortError, transportError } from './errors.js';
import type { ProxyEndpoint } from './proxy-route.js';

/**
 * ProxyConnectError: the proxy answered a `CONNECT` with something other
 * than 2xx. `status` is the proxy's status; the code is
 * `ERR_PROXY_AUTH_REQUIRED` for a 407, `ERR_PROXY_CONNECT` otherwise.
 */
export class ProxyConnectError extends ProtocolError {
  /** The proxy's status code (407, 403, 502, ...). */
  readonly status: number;

  constructor(status: number, statusText: string, target: string) {
    const auth = status === 407;
    const reason = statusText === '' ? '' : ` ${statusText}`;
    super(
      auth ? 'ERR_PROXY_AUTH_REQUIRED' : 'ERR_PROXY_CONNECT',
      `proxy refused CONNECT ${target}: ${status}${reason}`,
    );
    this.name = 'ProxyConnectError';
    this.status = status;
  }
}

/**
 * dialTunnel connects to `target` through `proxy`: it dials the proxy,
 * asks it for a `CONNECT` tunnel (with `Proxy-Authorization` when the
 * proxy URL had credentials) and, for an https target, completes the TLS
 * handshake with the target inside the tunnel. `options.timeout` bounds
 * the whole of it. A refusal rejects with a ProxyConnectError; a proxy
 * that hangs up before answering with `ERR_DIAL`.
 */
export async function dialTunnel(
  proxy: ProxyEndpoint,
  target: Origin,
  options: DialOptions,
): Promise<Socket> {
  const { timeout = 0, abort } = options;
  const deadline = timeout > 0 ? Date.now() + timeout : 0;
  const left = () => (deadline === 0 ? 0 : Math.max(1, deadline - Date.now()));
  const raw = await dial(proxy.origin, options);
  const tunnel = await connectThrough(raw, proxy, target, left(), options);
  if (target.scheme === 'http') return tunnel;
  return dial(target, { timeout: left(), abort, tls: { ...options.tls, socket: tunnel } });
}

/** connectThrough writes the CONNECT on `raw` and resolves with the tunnel's socket once the proxy said 2xx. */
async function connectThrough(
  raw: Socket,
  proxy: ProxyEndpoint,
  target: Origin,
  timeout: number,
  { abort }: DialOptions,
): Promise<Socket> {
  const authority = target.key.slice(target.key.indexOf('://') + 3);
  const header =
    proxy.authorization === null ? null : { 'Proxy-Authorization': proxy.authorization };
  const req = new Request('CONNECT', `${target.scheme}://${authority}`, { header });
  const conn = newClientConn(raw);
  let stopped: Error | null = null;
  const stop = (err: Error) => {
    stopped ??= err;
    raw.destroy();
  };
  const onAbort = () => stop(abortError(abort!));
  abort?.watch(onAbort);
  const timer =
    timeout > 0
      ? setTimeout(
          () =>
            stop(
              transportError(
                'ERR_DIAL_TIMEOUT',
                `CONNECT ${authority}: timeout after ${timeout} ms`,
              ),
            ),
          timeout,
        )
      : undefined;
  try {
    const res = await conn.do(req);
    if (res.status < 200 || res.status > 299) {
      throw new ProxyConnectError(res.status, res.statusText, authority);
    }
    const { socket, head } = conn.hijack();
    if (head.length > 0) socket.unshift(head); // bytes the origin sent first belong to the tunnel
    return socket;
  } catch (err) {
    raw.on('error', noop);
    raw.destroy();
    if (stopped !== null) throw stopped;
    if (err instanceof ProxyConnectError) throw err;
    throw transportError(
      'ERR_DIAL',
      `CONNECT ${authority} through the proxy: ${(err as Error).message}`,
      err,
    );
  } finally {
    clearTimeout(timer);
    abort?.unwatch(onAbort);
  }
}

function noop(): void {}
