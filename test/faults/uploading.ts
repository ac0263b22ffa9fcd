import type { Socket } from 'node:net';

/**
 * upload writes `total` body bytes to `socket` from one reused 64 KiB
 * buffer (nothing the size of the body is ever allocated), honouring
 * back-pressure, and stops early once the peer ends or closes the
 * connection; it resolves with the bytes handed to the socket. The socket
 * must be flowing (read by someone) for the peer's FIN to be seen.
 */
export async function upload(socket: Socket, total: number): Promise<number> {
  const piece = Buffer.alloc(64 * 1024, 0x78);
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  socket.once('end', stop);
  socket.once('close', stop);
  let sent = 0;
  while (sent < total && !stopped && socket.writable) {
    sent += piece.length;
    if (socket.write(piece)) continue;
    await new Promise<void>((resolve) => {
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }
  socket.off('end', stop);
  socket.off('close', stop);
  return sent;
}
