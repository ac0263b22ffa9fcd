/**
 * Child entry for the forward bench's peer core: `load.ts` starts the
 * targets — one that sends TUNNEL_BYTES on each connection and ends, one
 * that echoes, and an HTTP origin that answers `hello world` (wrk's
 * absolute-form GETs) — and prints their ports as one JSON line. Then it
 * runs loads on command, one JSON line `{"rate":N,"units":N}` each (units:
 * downloads or tunnels made):
 * - `download <proxyPort>`: one CONNECT to the sending target, MiB/s over
 *   the TUNNEL_BYTES;
 * - `tunnels <proxyPort> <ms>`: CONNECT + 1 byte each way, the target
 *   ending and the client ending after it, by CLIENTS clients at once for
 *   `ms`, tunnels/s.
 * It exits when stdin ends.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { startServer } from '../conn/hello-servers.js';
import { listen } from '../proxy/node-proxy-kit.js';

const MiB = 1 << 20;
/** TUNNEL_BYTES: what one download sends down its tunnel. */
const TUNNEL_BYTES = 100 * MiB;
/** CLIENTS: tunnels opened at once by `tunnels`. */
const CLIENTS = 50;

/** sender sends TUNNEL_BYTES on every connection, 1 MiB writes with back-pressure, then ends. */
function sender(): Server {
  const payload = Buffer.alloc(MiB, 0x61);
  return createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => undefined);
    let left = TUNNEL_BYTES;
    const pump = () => {
      while (left > 0) {
        left -= payload.length;
        if (!socket.write(payload)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  });
}

/**
 * echo writes back the first chunk it reads and ends: the target closes
 * first, so the TIME_WAIT of each tunnel stays on the listening sides and
 * thousands of tunnels a second never run the connecting sides out of
 * ephemeral ports (which had made later turns crawl).
 */
function echo(): Server {
  return createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (chunk) => socket.end(chunk));
  });
}

/** openTunnel CONNECTs through the proxy and resolves with the socket, paused, once the 200 head is in. */
function openTunnel(proxyPort: number, target: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: proxyPort, host: '127.0.0.1', noDelay: true });
    socket.on('error', reject);
    socket.write(`CONNECT 127.0.0.1:${target} HTTP/1.1\r\nHost: 127.0.0.1:${target}\r\n\r\n`);
    let seen: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      const end = seen.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.pause();
      if (!seen.toString('latin1', 0, 12).endsWith(' 200')) {
        reject(new Error(`CONNECT refused: ${seen.toString('latin1', 0, end)}`));
        socket.destroy();
        return;
      }
      if (end + 4 < seen.length) socket.unshift(seen.subarray(end + 4));
      resolve(socket);
    };
    socket.on('data', onData);
  });
}

/** Load: a rate and how many units (downloads, tunnels) made it. */
interface Load {
  rate: number;
  units: number;
}

async function download(proxyPort: number, target: number): Promise<Load> {
  const socket = await openTunnel(proxyPort, target);
  const started = performance.now();
  let got = 0;
  socket.on('data', (chunk: Buffer) => (got += chunk.length));
  socket.resume();
  await once(socket, 'end');
  const seconds = (performance.now() - started) / 1000;
  socket.destroy();
  if (got !== TUNNEL_BYTES) throw new Error(`got ${got} of ${TUNNEL_BYTES} bytes`);
  return { rate: TUNNEL_BYTES / MiB / seconds, units: 1 };
}

async function tunnels(proxyPort: number, target: number, ms: number): Promise<Load> {
  let done = 0;
  const deadline = performance.now() + ms;
  const client = async () => {
    while (performance.now() < deadline) {
      const socket = await openTunnel(proxyPort, target);
      let got = 0;
      socket.on('data', (chunk: Buffer) => (got += chunk.length));
      socket.write('x');
      socket.resume();
      await once(socket, 'end'); // the target echoed and ended; the proxy passed both on
      socket.end();
      if (got !== 1) throw new Error(`tunnel echoed ${got} bytes, want 1`);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { rate: done / ((performance.now() - started) / 1000), units: done };
}

const ports = {
  sender: await listen(sender()),
  echo: await listen(echo()),
  origin: ((await startServer('raw', 'hello world')).address() as { port: number }).port,
};
process.stdout.write(`${JSON.stringify(ports)}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, port, ms] = line.split(' ');
  const run =
    command === 'download'
      ? download(Number(port), ports.sender)
      : tunnels(Number(port), ports.echo, Number(ms));
  run.then(
    (load) => process.stdout.write(`${JSON.stringify(load)}\n`),
    (err: unknown) => process.stdout.write(`${JSON.stringify({ error: String(err) })}\n`),
  );
});
process.stdin.on('end', () => process.exit(0));
