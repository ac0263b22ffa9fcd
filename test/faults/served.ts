/**
 * serve runs a handler on our Server behind a node:net listener on
 * 127.0.0.1, as a Server's own `listen` would, so that a test sees the
 * server side of each connection. The e2e harness's `cleanup()` closes it,
 * destroying what is left after a failure so that nothing hangs.
 */
import { once } from 'node:events';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { Handler, HandlerFunc } from '../../src/server/handler.js';
import { createServer, type ServerOptions } from '../../src/server/server.js';
import { onCleanup } from '../e2e/e2e-harness.js';
import { within } from '../helpers/waiting.js';

/** Served: the port, the accepted sockets in accept order, and `closed()`. */
export interface Served {
  readonly port: number;
  readonly accepted: Socket[];
  /**
   * closed closes the server and expects it to be done within 2 s: its
   * `close()` waits for every connection that is not idle, so this settles
   * only once the server let go of each of them.
   */
  closed(): Promise<void>;
}

/** serve starts serving `handler` with `options` (errors are not logged). */
export async function serve(
  handler: HandlerFunc | Handler,
  options: ServerOptions = {},
): Promise<Served> {
  const server = createServer(handler, { errorLog: () => undefined, ...options });
  const accepted: Socket[] = [];
  const listener = createNetServer((socket) => {
    accepted.push(socket);
    void server.serveConn(socket);
  });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const close = async () => {
    listener.close();
    await server.close();
  };
  onCleanup(() => {
    for (const socket of accepted) socket.destroy();
    return close();
  });
  const { port } = listener.address() as { port: number };
  return { port, accepted, closed: () => within(close(), 2000) };
}
