/**
 * Child entry: `idle-clients.ts <port> <count>` opens `count` keep-alive
 * connections to 127.0.0.1:`port`, makes one GET on each and waits for its
 * whole response (one known-size answer), then prints `{"open":N}` and
 * keeps them all open, idle, until it is stopped.
 */
import net from 'node:net';

const [port = 0, count = 0] = process.argv.slice(2).map(Number);
const REQUEST = Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, 'latin1');
const BATCH = 256; // connections opened at once

const sockets: net.Socket[] = [];
for (let opened = 0; opened < count; opened += BATCH) {
  const batch = Math.min(BATCH, count - opened);
  sockets.push(...(await Promise.all(Array.from({ length: batch }, oneRequest))));
}
process.stdout.write(`${JSON.stringify({ open: sockets.length })}\n`);
process.stdin.resume().on('end', () => process.exit(0));

/** oneRequest connects, sends one GET and resolves once the response's body arrived. */
function oneRequest(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('error', reject);
    socket.once('connect', () => socket.write(REQUEST));
    socket.on('data', function onData(chunk: Buffer) {
      received += chunk.toString('latin1');
      if (!received.endsWith('hello world')) return;
      socket.off('data', onData);
      resolve(socket);
    });
  });
}
