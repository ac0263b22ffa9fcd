/**
 * Scripted raw peers for connection tests: a TCP server on 127.0.0.1 whose
 * connections are driven byte by byte, so a test states exactly what goes on
 * the wire and sees exactly what arrived.
 *
 * ```ts
 * const server = await startRawServer(async (peer) => {
 *   await peer.waitFor('\r\n\r\n');
 *   await peer.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi');
 * });
 * const socket = await server.connect();
 * // ... drive a ClientConn on `socket` ...
 * await server.close(); // destroys every socket, closes the server
 * ```
 */
import { once } from 'node:events';
import { createServer, type Server, Socket } from 'node:net';

/** Matches received bytes: contained text or bytes, or a predicate over everything received. */
export type Match = string | Uint8Array | ((received: Buffer) => boolean);

/** RawPeer is the server side of one accepted connection. */
export interface RawPeer {
  /** The accepted socket (no-delay, errors swallowed). */
  readonly socket: Socket;
  /** received returns every byte received so far, as one Buffer. */
  received(): Buffer;
  /**
   * waitFor resolves with everything received once `match` holds; it
   * rejects after `timeoutMs` (default 2000) or when the connection ends or
   * closes first.
   */
  waitFor(match: Match, timeoutMs?: number): Promise<Buffer>;
  /** write sends `bytes` (a string goes out as latin1) and resolves once handed to the kernel. */
  write(bytes: string | Uint8Array): Promise<void>;
  /** end sends `bytes`, if given, then FIN. */
  end(bytes?: string | Uint8Array): Promise<void>;
  /** destroy closes the connection at once (FIN). */
  destroy(): void;
  /** reset closes the connection with a TCP RST. */
  reset(): void;
  /** clientEnded resolves when the client sends FIN (or the connection closes). */
  clientEnded(): Promise<void>;
}

/** Script drives one accepted connection; a throw or rejection is kept in `RawServer.errors`. */
export type Script = (peer: RawPeer) => void | Promise<void>;

/** RawServer is a scripted server on 127.0.0.1 with an ephemeral port. */
export interface RawServer {
  readonly port: number;
  /** Errors thrown by scripts, in order. */
  readonly errors: Error[];
  /** connect opens a client socket to this server; `close()` destroys it too. */
  connect(): Promise<Socket>;
  /** nextPeer resolves with the next accepted connection not yet taken, in accept order. */
  nextPeer(): Promise<RawPeer>;
  /** scripts resolves once every script started so far has settled. */
  scripts(): Promise<void>;
  /** close destroys every socket (both sides) and closes the server. */
  close(): Promise<void>;
}

/** bytes returns `data` as a Buffer; strings are latin1, one byte per char. */
export function bytes(data: string | Uint8Array): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
}

/**
 * connectTo opens a TCP connection to 127.0.0.1:`port` and resolves once
 * connected. It adds one 'error' listener that ignores errors (a reset
 * after a hijack must not crash the test run); count listeners after it.
 */
export async function connectTo(port: number): Promise<Socket> {
  const socket = new Socket();
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  socket.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/**
 * socketPair returns both ends of a loopback TCP connection: `client`
 * (from connectTo) and `server`, as a listener of its own accepted it (the
 * listener is closed again). Destroy both when done.
 */
export async function socketPair(): Promise<{ client: Socket; server: Socket }> {
  const listener = createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const client = await connectTo((listener.address() as { port: number }).port);
  const [server] = await accepted;
  listener.close();
  return { client, server };
}

/**
 * writeSplit writes `data` in pieces cut at the offsets in `cuts`
 * (ascending, between 0 and the length; 0 and duplicate cuts are skipped),
 * waiting for each write to be flushed and then for the event loop to pass
 * a poll phase before the next, so a receiver in this process sees each
 * piece as its own 'data' event (a single setImmediate is not enough when
 * the write starts from a poll phase: both pieces would be read together).
 */
export async function writeSplit(
  socket: Socket,
  data: string | Uint8Array,
  cuts: readonly number[],
): Promise<void> {
  const buf = bytes(data);
  let start = 0;
  for (const cut of [...cuts, buf.length]) {
    if (cut <= start) continue;
    await writeFlushed(socket, buf.subarray(start, cut));
    await loopTurn(); // the check phase of this loop turn ...
    await loopTurn(); // ... and of the next, after its poll phase read the piece
    start = cut;
  }
}

function loopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function writeFlushed(socket: Socket, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

function matches(received: Buffer, match: Match): boolean {
  return typeof match === 'function' ? match(received) : received.includes(bytes(match));
}

function rawPeer(socket: Socket): RawPeer {
  const parts: Buffer[] = [];
  let closed = false;
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const watch of [...watchers]) watch();
  };
  const received = () => Buffer.concat(parts);
  const clientEnded = new Promise<void>((resolve) => {
    socket.once('end', resolve);
    socket.once('close', resolve);
  });
  socket.setNoDelay(true);
  socket.on('error', () => undefined); // resets are part of the scripts
  socket.on('data', (chunk: Buffer) => {
    parts.push(chunk);
    notify();
  });
  socket.on('end', () => {
    closed = true;
    notify();
  });
  socket.on('close', () => {
    closed = true;
    notify();
  });
  return {
    socket,
    received,
    waitFor(match, timeoutMs = 2000) {
      return new Promise((resolve, reject) => {
        const done = (err: Error | null) => {
          clearTimeout(timer);
          watchers.delete(check);
          if (err === null) resolve(received());
          else reject(err);
        };
        const check = () => {
          if (matches(received(), match)) done(null);
          else if (closed)
            done(new Error(`raw peer: connection ended before ${describeMatch(match)}`));
        };
        const timer = setTimeout(
          () => done(new Error(`raw peer: no ${describeMatch(match)} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        watchers.add(check);
        check();
      });
    },
    write: (data) => writeFlushed(socket, bytes(data)),
    end: (data) =>
      new Promise<void>((resolve) => {
        if (data === undefined) socket.end(resolve);
        else socket.end(bytes(data), resolve);
      }),
    destroy: () => socket.destroy(),
    reset: () => socket.resetAndDestroy(),
    clientEnded: () => clientEnded,
  };
}

function describeMatch(match: Match): string {
  return typeof match === 'function' ? 'match' : JSON.stringify(bytes(match).toString('latin1'));
}

/**
 * startRawServer listens on 127.0.0.1:0 and runs `script`, if given, for
 * each accepted connection. Connections are also queued for `nextPeer()`,
 * so a test may drive them inline instead.
 */
export async function startRawServer(script?: Script): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const errors: Error[] = [];
  const running: Promise<void>[] = [];
  const accepted: RawPeer[] = [];
  const takers: ((peer: RawPeer) => void)[] = [];
  const track = (socket: Socket) => sockets.add(socket); // no listener: tests count them
  const server: Server = createServer((socket) => {
    track(socket);
    const peer = rawPeer(socket);
    const taker = takers.shift();
    if (taker !== undefined) taker(peer);
    else accepted.push(peer);
    if (script !== undefined) {
      running.push(
        (async () => script(peer))().catch((err: unknown) => {
          errors.push(err as Error);
        }),
      );
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    port,
    errors,
    async connect() {
      const socket = await connectTo(port);
      track(socket);
      return socket;
    },
    nextPeer() {
      const peer = accepted.shift();
      if (peer !== undefined) return Promise.resolve(peer);
      return new Promise((resolve) => takers.push(resolve));
    },
    async scripts() {
      await Promise.all(running);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(running);
    },
  };
}

/** The socket events a connection listens to; `listenerCounts` reports these. */
const WATCHED_EVENTS = ['data', 'end', 'error', 'close', 'drain', 'readable', 'timeout'] as const;

/**
 * listenerCounts snapshots how many listeners `socket` has for each event a
 * connection may use, to check after `hijack()` that it removed all of its own.
 */
export function listenerCounts(socket: Socket): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of WATCHED_EVENTS) counts[event] = socket.listenerCount(event);
  return counts;
}
