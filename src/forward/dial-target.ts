import type { Socket } from 'node:net';
import { ProtocolError } from '../errors.js';
import { type AbortWatch, watchSignal } from '../message/abort-watch.js';
import { dial } from '../transport/dial.js';

/**
 * Dialer opens a connection to `host:port` (`host` without brackets); it
 * should give up when `signal` aborts. The ForwardProxy's `dial` option.
 */
export type Dialer = (
  host: string,
  port: number,
  options: { signal: AbortSignal },
) => Promise<Socket>;

/**
 * dialTCP is the default Dialer: a plain TCP connection with Nagle off
 * (the Transport's `dial`). Without a signal it waits as long as the
 * system does. It rejects with `ERR_DIAL` (the system error as `cause`) or
 * `ERR_ABORTED`.
 */
export function dialTCP(
  host: string,
  port: number,
  options: { signal?: AbortSignal } = {},
): Promise<Socket> {
  const abort = options.signal === undefined ? undefined : watchSignal(options.signal);
  return dial({ scheme: 'http', hostname: host, port, key: '' }, { abort });
}

/**
 * dialWithin calls `dialer` and resolves with its socket, or rejects with
 * `ERR_DIAL_TIMEOUT` after `timeoutMs` (0: no limit) or with the reason of
 * `cancel` when it aborts first; either way the signal the dialer got
 * aborts, and a socket it still delivers afterwards is destroyed. Other
 * failures are the dialer's own error. The default dialer (`dialTCP`) is
 * called without an AbortController or a second timer: the transport's
 * `dial` watches `cancel` and keeps the time itself.
 */
export function dialWithin(
  dialer: Dialer,
  host: string,
  port: number,
  timeoutMs: number,
  cancel?: AbortWatch,
): Promise<Socket> {
  const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  if (dialer === dialTCP) {
    if (cancel?.aborted === true) return Promise.reject(cancel.reason);
    const origin = { scheme: 'http' as const, hostname: host, port, key: '' };
    return dial(origin, { timeout: timeoutMs, abort: cancel }).then(undefined, (err: unknown) => {
      if (cancel?.aborted === true) throw cancel.reason;
      const timedOut = (err as { code?: unknown }).code === 'ERR_DIAL_TIMEOUT';
      throw timedOut ? dialTimeout(target, timeoutMs) : err;
    });
  }
  const controller = new AbortController();
  return new Promise<Socket>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const stop = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cancel?.unwatch(onCancel);
      controller.abort(err);
      reject(err);
    };
    const onCancel = () => stop(cancel!.reason);
    if (cancel?.aborted === true) return onCancel();
    cancel?.watch(onCancel);
    if (timeoutMs > 0) timer = setTimeout(() => stop(dialTimeout(target, timeoutMs)), timeoutMs);
    let dialing: Promise<Socket>;
    try {
      dialing = dialer(host, port, { signal: controller.signal });
    } catch (err) {
      dialing = Promise.reject(err);
    }
    dialing.then(
      (socket) => {
        if (settled) {
          socket.destroy();
          return;
        }
        settled = true;
        clearTimeout(timer);
        cancel?.unwatch(onCancel);
        resolve(socket);
      },
      (err: unknown) => stop(err),
    );
  });
}

function dialTimeout(target: string, timeoutMs: number): ProtocolError {
  return new ProtocolError('ERR_DIAL_TIMEOUT', `dial ${target}: timeout after ${timeoutMs} ms`);
}

/** The phrase for a system error code a dial fails with. */
const DIAL_REASONS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'name does not resolve',
  EAI_AGAIN: 'name does not resolve (temporary failure)',
  EAI_NODATA: 'name does not resolve',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
};

/**
 * dialFailure maps an error from dialing (or from a round trip that could
 * not reach its origin) to the status a proxy answers with and a reason
 * for the body and the log: 504 for `ERR_DIAL_TIMEOUT`, else 502, the
 * reason naming the system error (`connection refused`, `name does not
 * resolve`, ...) followed by the error's message.
 */
export function dialFailure(err: unknown): { status: number; reason: string } {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ERR_DIAL_TIMEOUT') return { status: 504, reason: `dial timeout (${message})` };
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause?.code ?? code;
  const phrase = typeof cause === 'string' ? DIAL_REASONS[cause] : undefined;
  return { status: 502, reason: phrase === undefined ? message : `${phrase} (${message})` };
}
