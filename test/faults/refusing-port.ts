/**
 * refusingPort: a port on 127.0.0.1 where every connection is refused
 * (ECONNREFUSED) for as long as the test needs it. A port that was closed
 * after a listen may be bound again by any test running in parallel; this
 * one is the local port of a connection we keep open, which nobody can
 * bind (EADDRINUSE) and nothing listens on.
 */
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { connectTo } from '../helpers/raw-peer.js';

/** RefusingPort: the port, and `close()` to release it. */
export interface RefusingPort {
  readonly port: number;
  close(): Promise<void>;
}

/** refusingPort holds a refusing port until `close()`. */
export async function refusingPort(): Promise<RefusingPort> {
  const accepted: Socket[] = [];
  const server = createServer((socket) => {
    accepted.push(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const holder = await connectTo(port);
  return {
    port: holder.localPort!,
    async close() {
      holder.destroy();
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
