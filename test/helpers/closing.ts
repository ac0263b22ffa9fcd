/** How a peer ends a connection, for tests that a limit closes it cleanly (FIN, not a reset or a hang). */
import type { Socket } from 'node:net';

/**
 * Ending: how the peer ended the connection, seen from our side: `'fin'`
 * when we read its FIN (a clean end), `'reset'` when the socket failed
 * (ECONNRESET, EPIPE) or closed without a FIN, `'open'` when neither
 * happened in the time allowed.
 */
export type Ending = 'fin' | 'reset' | 'open';

/**
 * endingOf watches `socket` from now on and resolves with how the peer
 * ends it within `ms` (default 2000). The socket must be flowing (have a
 * 'data' listener) for its FIN to be seen. Call it before doing what is
 * expected to end the connection; it removes its listeners once settled.
 */
export function endingOf(socket: Socket, ms = 2000): Promise<Ending> {
  if (socket.readableEnded) return Promise.resolve('fin');
  return new Promise((resolve) => {
    const settle = (ending: Ending) => {
      clearTimeout(timer);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.off('close', onClose);
      resolve(ending);
    };
    const onEnd = () => settle('fin');
    const onError = () => settle('reset');
    const onClose = () => settle(socket.readableEnded ? 'fin' : 'reset');
    const timer = setTimeout(() => settle('open'), ms);
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}
