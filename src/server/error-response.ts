import type { Socket } from 'node:net';
import { ErrClosed, ProtocolError } from '../errors.js';
import { statusText } from '../message/status-text.js';

/** After our FIN, how long a closing connection may linger before it is destroyed (Go's rstAvoidanceDelay). */
const LINGER_MS = 500;

/**
 * errorResponse returns the server's own answer to a request it will not
 * serve, as latin1 text: the status, a short `text/plain` body naming it
 * (and `detail`, such as a parser error code, when not empty) and
 * `Connection: close`.
 */
export function errorResponse(status: number, detail: string): string {
  const reason = statusText(status);
  const text = `${status} ${reason}${detail === '' ? '' : `: ${detail}`}\n`;
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Connection: close\r\nContent-Length: ${text.length}\r\n\r\n${text}`
  );
}

/**
 * lingerClose ends `socket` gracefully: FIN after what was written, then
 * whatever the client still sends is discarded, so that the client reads
 * our answer instead of a reset, until its FIN arrives or LINGER_MS pass;
 * then the socket is destroyed. The timer is unref'd and cleared when the
 * socket closes.
 */
export function lingerClose(socket: Socket): void {
  if (socket.destroyed) return;
  socket.end();
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** isClientGone reports whether a failed response write only means the client went away, or the connection was closed or hijacked under it: nothing to log. */
export function isClientGone(err: Error): boolean {
  if (err === ErrClosed) return true;
  const code = err instanceof ProtocolError ? err.code : (err as NodeJS.ErrnoException).code;
  return (
    code === 'ERR_SOCKET_CLOSED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ERR_HIJACKED'
  );
}
