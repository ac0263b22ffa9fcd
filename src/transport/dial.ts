import { isIP, connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { MessageURL } from '../message/url.js';
import type { AbortWatch } from '../message/abort-watch.js';
import { abortError, transportError } from './errors.js';

/** Origin is where a request's connection goes: the pool key and the dial target. */
export interface Origin {
  scheme: 'http' | 'https';
  /** Host name or IP address, without brackets. */
  hostname: string;
  port: number;
  /** `scheme://host:port` with the default port made explicit: one pool per key. */
  key: string;
}

/**
 * originOf returns the origin of an absolute request URL. A scheme other
 * than http or https throws `ERR_UNSUPPORTED_SCHEME`; a missing host or a
 * bad port throws `ERR_INVALID_URL`. The port defaults to 80 or 443.
 */
export function originOf(url: MessageURL): Origin {
  const scheme = url.scheme;
  if (scheme !== 'http' && scheme !== 'https') {
    throw transportError('ERR_UNSUPPORTED_SCHEME', `unsupported protocol scheme "${scheme}"`);
  }
  const host = url.host;
  const close = host.startsWith('[') ? host.indexOf(']') : -1;
  const colon = host.indexOf(':', close + 1);
  const hostname =
    close > 0 ? host.slice(1, close) : host.slice(0, colon === -1 ? undefined : colon);
  const portText = colon === -1 ? '' : host.slice(colon + 1);
  const port = portText === '' ? (scheme === 'https' ? 443 : 80) : decimal(portText);
  if (hostname === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw transportError('ERR_INVALID_URL', `invalid host ${JSON.stringify(host)}`);
  }
  const name = close > 0 ? `[${hostname}]` : hostname.toLowerCase();
  return { scheme, hostname, port, key: `${scheme}://${name}:${port}` };
}

/** decimal parses ASCII digits only (no sign, exponent or hex, which Number accepts), else NaN. */
function decimal(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return NaN;
  }
  return Number(text);
}

/** DialOptions: limits and TLS settings for `dial`. */
export interface DialOptions {
  /** Milliseconds to connect (and finish the TLS handshake) before `ERR_DIAL_TIMEOUT`; 0 or absent waits forever. */
  timeout?: number;
  /** Aborts the dial with `ERR_ABORTED`. */
  abort?: AbortWatch;
  /** Extra `tls.connect` options for https (`ca`, `rejectUnauthorized`, ...). */
  tls?: ConnectionOptions;
}

/**
 * dial connects to `origin` and resolves with the socket once it is ready:
 * connected for http, handshake done for https (SNI is the host name unless
 * it is an IP address; ALPN offers only `http/1.1`). Nagle is off, as in
 * Go. It rejects with `ERR_DIAL` (the system error as `cause`),
 * `ERR_DIAL_TIMEOUT` or `ERR_ABORTED`, and then the socket is destroyed.
 */
export function dial(origin: Origin, options: DialOptions = {}): Promise<Socket> {
  const { abort, timeout = 0 } = options;
  if (abort?.aborted === true) return Promise.reject(abortError(abort));
  const { hostname: host, port } = origin;
  const secure = origin.scheme === 'https';
  const socket: Socket = secure
    ? tlsConnect({
        servername: isIP(host) === 0 ? host : undefined,
        ...options.tls,
        host,
        port,
        ALPNProtocols: ['http/1.1'],
      })
    : netConnect({ host, port });
  const ready = secure ? 'secureConnect' : 'connect';
  const target = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const settle = (err: Error | null) => {
      clearTimeout(timer);
      abort?.unwatch(onAbort);
      socket.off(ready, onReady);
      socket.off('error', onError);
      if (err === null) {
        resolve(socket);
      } else {
        socket.on('error', noop); // a late error from the destroyed socket must not crash
        socket.destroy();
        reject(err);
      }
    };
    const onReady = () => {
      socket.setNoDelay(true);
      settle(null);
    };
    const onError = (err: Error) =>
      settle(transportError('ERR_DIAL', `dial ${target}: ${err.message}`, err));
    const onAbort = () => settle(abortError(abort!));
    socket.once(ready, onReady);
    socket.once('error', onError);
    abort?.watch(onAbort);
    if (timeout > 0) {
      timer = setTimeout(
        () =>
          settle(transportError('ERR_DIAL_TIMEOUT', `dial ${target}: timeout after ${timeout} ms`)),
        timeout,
      );
    }
  });
}

function noop(): void {}
