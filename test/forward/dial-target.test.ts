/**
 * dialWithin with the default dialer: it goes straight to the transport's
 * dial (no AbortSignal per CONNECT) and still honours the cancel abort.
 */
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { dialTCP, dialWithin } from '../../src/forward/dial-target.js';
import { LazyAbort } from '../../src/message/abort-watch.js';
import { expectNoLeaks } from '../helpers/leaks.js';

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

describe('dialWithin', () => {
  it('connects with the default dialer and leaves no timer or listener behind', async () => {
    await expectNoLeaks(async () => {
      const { server, port } = await listening();
      const abort = new LazyAbort();
      const socket = await dialWithin(dialTCP, '127.0.0.1', port, 5000, abort);
      expect(socket.remotePort).toBe(port);
      socket.destroy();
      abort.abort(new Error('late')); // no watcher is left to run
      server.close();
    });
  });

  it('rejects with the reason of an abort that comes while the default dialer connects', async () => {
    await expectNoLeaks(async () => {
      const { server, port } = await listening();
      const abort = new LazyAbort();
      const reason = new ProtocolError('ERR_CLIENT_GONE', 'client disconnected');
      const dialing = dialWithin(dialTCP, '127.0.0.1', port, 5000, abort);
      abort.abort(reason); // before the connect completes: the socket is destroyed
      await expect(dialing).rejects.toBe(reason);
      server.close();
    });
  });

  it('rejects at once with the reason of an abort that came before', async () => {
    const abort = new LazyAbort();
    const reason = new Error('gone');
    abort.abort(reason);
    await expect(dialWithin(dialTCP, '127.0.0.1', 1, 5000, abort)).rejects.toBe(reason);
  });
});
