import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { within } from '../helpers/waiting.js';
import {
  copySwitchedProtocol,
  type SwitchProtocolResult,
} from '../../src/proxy/switch-protocol-copier.js';

const EVENTS = ['data', 'end', 'drain', 'finish', 'error', 'close', 'readable'] as const;

function listenerCounts(socket: Socket): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of EVENTS) counts[event] = socket.listenerCount(event);
  return counts;
}

/** Collects what a test peer receives. */
class Received {
  readonly #socket: Socket;
  #chunks: Buffer[] = [];
  #length = 0;
  #ended = false;
  #waiters: (() => void)[] = [];

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#length += chunk.length;
      this.#wake();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on('close', () => this.#wake());
  }

  get length(): number {
    return this.#length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  text(): string {
    return this.bytes().toString('latin1');
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Resolves once `done()` holds; rejects after `ms` or when the socket closes first. */
  until(done: () => boolean, what: string, ms = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      const check = (): void => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else if (this.#socket.closed) {
          clearTimeout(timer);
          reject(new Error(`socket closed before ${what}; got ${this.#length} bytes`));
        } else {
          this.#waiters.push(check);
        }
      };
      check();
    });
  }

  text$(want: string): Promise<void> {
    return this.until(() => this.text() === want, JSON.stringify(want));
  }

  end$(): Promise<void> {
    return this.until(() => this.#ended, 'end');
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

interface Tunnel {
  /** The client: talks to the proxy. */
  cli: Socket;
  /** The backend server's side of the proxy's connection. */
  srv: Socket;
  /** The proxy's side toward the client (accepted with Node's default allowHalfOpen: false). */
  user: Socket;
  /** The proxy's side toward the backend. */
  backend: Socket;
  cliGot: Received;
  srvGot: Received;
  userListeners: Record<string, number>;
  backendListeners: Record<string, number>;
}

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(
    servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  );
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

async function accept(
  server: Server,
  port: number,
  allowHalfOpen: boolean,
): Promise<[Socket, Socket]> {
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect({ port, host: '127.0.0.1', allowHalfOpen });
  sockets.push(client);
  await once(client, 'connect');
  const [socket] = await accepted;
  sockets.push(socket);
  return [client, socket];
}

/** Two real connections on 127.0.0.1: client → proxy (`user`) and proxy (`backend`) → backend. */
async function tunnel(): Promise<Tunnel> {
  const proxyServer = createServer();
  const backendServer = createServer({ allowHalfOpen: true });
  const [cli, user] = await accept(proxyServer, await listen(proxyServer), true);
  const [backend, srv] = await accept(backendServer, await listen(backendServer), false);
  for (const s of [cli, srv]) s.on('error', () => {});
  return {
    cli,
    srv,
    user,
    backend,
    cliGot: new Received(cli),
    srvGot: new Received(srv),
    userListeners: listenerCounts(user),
    backendListeners: listenerCounts(backend),
  };
}

function expectCleanedUp(t: Tunnel): void {
  expect(t.user.destroyed).toBe(true);
  expect(t.backend.destroyed).toBe(true);
  expect(listenerCounts(t.user)).toEqual(t.userListeners);
  expect(listenerCounts(t.backend)).toEqual(t.backendListeners);
}

/** Deterministic bytes: a different pattern per seed. */
function pattern(size: number, seed: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    buf[i] = x >>> 24;
  }
  return buf;
}

/** readSlowly makes `peer` a slow reader: one chunk per timer tick, from when it is called. */
function readSlowly(peer: Socket): void {
  peer.on('data', () => {
    peer.pause();
    setTimeout(() => peer.resume(), 1);
  });
  peer.resume();
}

/**
 * quiescent resolves once `count()` has not changed for `quietMs` (polled
 * every 10 ms) or reaches `limit`, for at most 5 s.
 */
function quiescent(count: () => number, limit: number, quietMs = 100): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    let last = -1;
    let since = Date.now();
    const poll = setInterval(() => {
      const now = Date.now();
      const n = count();
      if (n !== last) {
        last = n;
        since = now;
      }
      if (n >= limit || now - since >= quietMs || now - started >= 5000) {
        clearInterval(poll);
        resolve();
      }
    }, 10);
  });
}

describe('copySwitchedProtocol', () => {
  it('copies both ways and reports eof for each direction once both sides have ended', async () => {
    const t = await tunnel();
    const done = copySwitchedProtocol(t.user, t.backend);
    t.cli.write('hello');
    await t.srvGot.text$('hello');
    t.srv.write('world!');
    await t.cliGot.text$('world!');
    t.cli.end();
    await t.srvGot.end$();
    t.srv.end();
    await t.cliGot.end$();
    const result = await within(done, 5000, 'the copier');
    expect(result).toEqual<SwitchProtocolResult>({
      toBackend: { end: 'eof', bytes: 5, error: null },
      fromBackend: { end: 'eof', bytes: 6, error: null },
    });
    expectCleanedUp(t);
  });

  it('half-closes toward the backend when the client closes its write side and keeps the other direction running (TestReverseProxyWebSocketHalfTCP, client close write)', async () => {
    const t = await tunnel();
    const done = copySwitchedProtocol(t.user, t.backend);
    t.cli.end();
    await t.srvGot.end$();
    t.srv.write('server sends');
    await t.cliGot.text$('server sends');
    expect(t.cliGot.ended).toBe(false);
    t.srv.write(' more');
    await t.cliGot.text$('server sends more');
    t.srv.end();
    await t.cliGot.end$();
    const result = await within(done, 5000, 'the copier');
    expect(result.toBackend).toEqual({ end: 'eof', bytes: 0, error: null });
    expect(result.fromBackend).toEqual({ end: 'eof', bytes: 17, error: null });
    expectCleanedUp(t);
  });

  it('half-closes toward the client when the backend closes its write side and keeps the other direction running (TestReverseProxyWebSocketHalfTCP, server close write)', async () => {
    const t = await tunnel();
    const done = copySwitchedProtocol(t.user, t.backend);
    t.srv.end();
    await t.cliGot.end$();
    t.cli.write('client sends');
    await t.srvGot.text$('client sends');
    expect(t.srvGot.ended).toBe(false);
    t.cli.end();
    await t.srvGot.end$();
    const result = await within(done, 5000, 'the copier');
    expect(result.toBackend).toEqual({ end: 'eof', bytes: 12, error: null });
    expect(result.fromBackend).toEqual({ end: 'eof', bytes: 0, error: null });
    expectCleanedUp(t);
  });

  it('sends the bytes each side had already buffered before anything read later', async () => {
    const t = await tunnel();
    // Sent before the copier starts: they must queue behind the heads.
    t.cli.write('-later-from-client');
    t.srv.write('-later-from-backend');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const done = copySwitchedProtocol(t.user, t.backend, {
      userHead: Buffer.from('client-head'),
      backendHead: Buffer.from('\x81\x05backend-head', 'latin1'),
    });
    await t.srvGot.text$('client-head-later-from-client');
    await t.cliGot.text$('\x81\x05backend-head-later-from-backend');
    t.cli.end();
    t.srv.end();
    const result = await within(done, 5000, 'the copier');
    expect(result.toBackend.bytes).toBe(29);
    expect(result.fromBackend.bytes).toBe(33);
    expectCleanedUp(t);
  });

  it('moves 4 MiB each way to slow readers, bytes intact and in order', async () => {
    const t = await tunnel();
    const size = 4 * 1024 * 1024;
    const up = pattern(size, 1);
    const down = pattern(size, 2);
    t.cli.pause();
    t.srv.pause();
    const done = copySwitchedProtocol(t.user, t.backend);
    t.cli.end(up);
    t.srv.end(down);
    await new Promise((resolve) => setTimeout(resolve, 50));
    readSlowly(t.cli);
    readSlowly(t.srv);
    await t.srvGot.until(() => t.srvGot.ended, 'the upload', 15_000);
    await t.cliGot.until(() => t.cliGot.ended, 'the download', 15_000);
    expect(t.srvGot.length).toBe(size);
    expect(t.cliGot.length).toBe(size);
    expect(t.srvGot.bytes().equals(up)).toBe(true);
    expect(t.cliGot.bytes().equals(down)).toBe(true);
    const result = await within(done, 5000, 'the copier');
    expect(result.toBackend).toEqual({ end: 'eof', bytes: size, error: null });
    expect(result.fromBackend).toEqual({ end: 'eof', bytes: size, error: null });
    expectCleanedUp(t);
  });

  it('stops reading a source while its destination is backed up, in each direction', async () => {
    const t = await tunnel();
    // More than the kernel buffers of both hops hold (about 4 MB each on loopback).
    const size = 16 * 1024 * 1024;
    const up = pattern(size, 3);
    const down = pattern(size, 4);
    t.cli.pause();
    t.srv.pause();
    const done = copySwitchedProtocol(t.user, t.backend);
    t.cli.end(up);
    t.srv.end(down);
    // Neither peer reads: wait until the proxy stops reading from both sides.
    await quiescent(() => t.user.bytesRead + t.backend.bytesRead, 2 * size);
    expect(t.user.isPaused()).toBe(true);
    expect(t.backend.isPaused()).toBe(true);
    expect(t.user.bytesRead).toBeLessThan(size);
    expect(t.backend.bytesRead).toBeLessThan(size);
    expect(t.backend.writableLength).toBeLessThan(1024 * 1024);
    expect(t.user.writableLength).toBeLessThan(1024 * 1024);
    t.cli.resume();
    t.srv.resume();
    await t.srvGot.until(() => t.srvGot.ended, 'the upload', 15_000);
    await t.cliGot.until(() => t.cliGot.ended, 'the download', 15_000);
    expect(t.srvGot.bytes().equals(up)).toBe(true);
    expect(t.cliGot.bytes().equals(down)).toBe(true);
    const result = await within(done, 5000, 'the copier');
    expect(result.toBackend).toEqual({ end: 'eof', bytes: size, error: null });
    expect(result.fromBackend).toEqual({ end: 'eof', bytes: size, error: null });
    expectCleanedUp(t);
  });

  it('closes both sides at an error on one of them', async () => {
    const t = await tunnel();
    const done = copySwitchedProtocol(t.user, t.backend);
    t.cli.write('ping');
    await t.srvGot.text$('ping');
    t.srv.resetAndDestroy();
    const result = await within(done, 5000, 'the copier');
    expect(result.fromBackend.end).toBe('error');
    expect((result.fromBackend.error as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(result.toBackend).toEqual({ end: 'closed', bytes: 4, error: null });
    await t.cliGot.until(() => t.cli.closed || t.cliGot.ended, 'the client to see the close');
    expectCleanedUp(t);
  });

  it('closes both sides when one closes without an end, even with a half-close pending', async () => {
    const t = await tunnel();
    const done = copySwitchedProtocol(t.user, t.backend);
    t.cli.end();
    await t.srvGot.end$();
    t.user.destroy();
    const result = await within(done, 5000, 'the copier');
    expect(result.toBackend).toEqual({ end: 'eof', bytes: 0, error: null });
    expect(result.fromBackend).toEqual({ end: 'closed', bytes: 0, error: null });
    await t.srvGot.until(() => t.srv.closed || t.srv.readableEnded, 'the backend to see the close');
    expectCleanedUp(t);
  });

  it('closes both sides when the signal aborts (go#35559)', async () => {
    const t = await tunnel();
    const abort = new AbortController();
    const done = copySwitchedProtocol(t.user, t.backend, { signal: abort.signal });
    t.srv.write('tick');
    await t.cliGot.text$('tick');
    abort.abort();
    const result = await within(done, 5000, 'the copier');
    expect(result).toEqual<SwitchProtocolResult>({
      toBackend: { end: 'closed', bytes: 0, error: null },
      fromBackend: { end: 'closed', bytes: 4, error: null },
    });
    await t.cliGot.end$();
    await t.srvGot.end$();
    expectCleanedUp(t);
  });

  it('does nothing but clean up when the signal has already aborted', async () => {
    const t = await tunnel();
    const result = await within(
      copySwitchedProtocol(t.user, t.backend, { signal: AbortSignal.abort() }),
      5000,
      'the copier',
    );
    expect(result.toBackend.end).toBe('closed');
    expect(result.fromBackend.end).toBe('closed');
    expectCleanedUp(t);
  });
});
