/**
 * Shared set-up for the ClientConn test files: scripted raw servers, conns
 * dialed to them, and an afterEach that closes everything and checks that
 * no conn left a listener on its socket and no script failed.
 */
import type { Socket } from 'node:net';
import { afterEach, expect } from 'vitest';
import {
  type ClientConn,
  type ConnOptions,
  newClientConn,
  newProxyClientConn,
  parseMessages,
  Request,
  type RequestInit,
} from '../../src/index.js';
import {
  listenerCounts,
  type RawPeer,
  type RawServer,
  type Script,
  startRawServer,
} from '../helpers/raw-peer.js';
export { rejection, within } from '../helpers/waiting.js';

/** Dialed: a conn on a fresh connection to a raw server, with the server's side of it. */
export interface Dialed {
  socket: Socket;
  conn: ClientConn;
  peer: RawPeer;
  /** The socket's listener counts before the conn was made. */
  before: Record<string, number>;
}

/** DialOptions: which conn to make and what it starts with. */
export interface DialOptions extends ConnOptions {
  /** newProxyClientConn instead of newClientConn. */
  proxy?: boolean;
  /** Bytes already read from the socket. */
  head?: Uint8Array;
}

/** Harness: per-file helpers whose resources are released after each test. */
export interface Harness {
  /** serve starts a raw server running `script` on each connection. */
  serve(script?: Script): Promise<RawServer>;
  /** dial connects to `server` and puts a ClientConn on the socket. */
  dial(server: RawServer, options?: DialOptions): Promise<Dialed>;
}

/**
 * useHarness registers an afterEach that closes every conn (a no-op once
 * hijacked or closed), expects each socket's listener counts to be back to
 * what they were before its conn, closes the servers and expects no script
 * to have failed. Call it once at the top of a test file.
 */
export function useHarness(): Harness {
  const servers: RawServer[] = [];
  const dialed: Dialed[] = [];
  afterEach(async () => {
    const conns = dialed.splice(0);
    const all = servers.splice(0);
    for (const { conn } of conns) conn.close();
    await Promise.all(all.map((s) => s.close()));
    for (const { socket, before } of conns) expect(listenerCounts(socket)).toEqual(before);
    for (const s of all) expect(s.errors).toEqual([]);
  });
  return {
    async serve(script) {
      const server = await startRawServer(script);
      servers.push(server);
      return server;
    },
    async dial(server, options = {}) {
      const socket = await server.connect();
      const before = listenerCounts(socket);
      const make = options.proxy === true ? newProxyClientConn : newClientConn;
      const conn = make(socket, options.head, options);
      const peer = await server.nextPeer();
      const d = { socket, conn, peer, before };
      dialed.push(d);
      return d;
    },
  };
}

/** request makes a `method` request for `path` on 127.0.0.1. */
export function request(method: string, path: string, init?: RequestInit): Request {
  return new Request(method, `http://127.0.0.1${path}`, init);
}

/** requests(n) matches received bytes holding at least `n` complete requests. */
export function requests(n: number): (received: Buffer) => boolean {
  return (received) => parseMessages('request', received).messages.length >= n;
}

/** ok returns a 200 response with `body` and its Content-Length, as wire text. */
export function ok(body: string, extra = ''): string {
  return `HTTP/1.1 200 OK\r\n${extra}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`;
}
