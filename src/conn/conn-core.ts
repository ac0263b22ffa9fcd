import type { Socket } from 'node:net';
import { ErrClosed } from '../errors.js';
import { type Detached, SocketReader } from '../io/socket-reader.js';
import { MessageReader } from '../message/message-reader.js';
import type { ParserKind } from '../parser/types.js';
import type { ConnOptions } from './conn-options.js';

/**
 * ConnCore is what ClientConn and ServerConn share (Go's persist.go keeps it
 * twice): the socket, its reader, the message reader on it, the sticky
 * errors of both sides, and hijack/close. Fields are open to the two conns.
 */
export class ConnCore<S extends Socket> {
  /** The socket; null once hijacked or closed. */
  socket: S | null;
  readonly reader: SocketReader<S>;
  readonly messages: MessageReader;
  /** Sticky once set. */
  readErr: Error | null = null;
  /** Sticky once set. */
  writeErr: Error | null = null;

  constructor(socket: S, head: Uint8Array | undefined, kind: ParserKind, options: ConnOptions) {
    this.socket = socket;
    this.reader = new SocketReader(socket, head, { highWaterMark: options.readAhead });
    this.messages = new MessageReader(this.reader, kind, options);
    this.messages.onReadTimeout = (err) => this.fail(err);
  }

  /**
   * fail makes `err` the sticky error of both sides (unless they had failed
   * before) and destroys the socket: the conn cannot stay in step (a read
   * timed out or was aborted mid-response).
   */
  fail(err: Error): void {
    this.readErr ??= err;
    this.writeErr ??= err;
    if (this.socket !== null) this.hijack().socket.destroy();
  }

  /**
   * hijack detaches the conn from its socket and returns the socket with
   * every byte read from it but not consumed; both sides then fail with
   * ErrClosed (unless they had failed before), and so does a second hijack.
   */
  hijack(): Detached<S> {
    if (this.socket === null) throw ErrClosed;
    this.socket = null;
    this.readErr ??= ErrClosed;
    this.writeErr ??= ErrClosed;
    this.messages.close();
    return this.reader.detach();
  }

  /** close hijacks the connection and ends the socket; closing twice does nothing. */
  close(): void {
    if (this.socket === null) return;
    this.hijack().socket.end();
  }
}
