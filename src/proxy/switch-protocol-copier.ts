import type { Socket } from 'node:net';

/**
 * How one direction of a switched connection ended:
 * - `eof` — the source ended cleanly and the destination was half-closed
 *   (`end()`) once every byte was handed to it;
 * - `error` — a socket failed (`error` holds why);
 * - `closed` — the copy was cut short: the other direction failed, a
 *   socket closed without an end, or the signal aborted.
 */
export type CopyEnd = 'eof' | 'error' | 'closed';

/** CopyDirection reports one direction of the copy. */
export interface CopyDirection {
  end: CopyEnd;
  /** Bytes written to the destination, the `head` bytes included. */
  bytes: number;
  /** The socket error for `error`, else null. */
  error: Error | null;
}

/** SwitchProtocolResult reports both directions once both sockets are closed. */
export interface SwitchProtocolResult {
  /** From the user (client) socket to the backend socket. */
  toBackend: CopyDirection;
  /** From the backend socket to the user (client) socket. */
  fromBackend: CopyDirection;
}

/** Options of `copySwitchedProtocol`. */
export interface SwitchProtocolOptions {
  /** Bytes already read from the user socket (its hijack `head`): sent to the backend first. */
  userHead?: Uint8Array;
  /** Bytes already read from the backend socket: sent to the user first. */
  backendHead?: Uint8Array;
  /** Aborting closes both sockets; unfinished directions end as `closed` (go#35559). */
  signal?: AbortSignal;
}

/** One direction: pipes `src` into `dst` with back-pressure and half-close. */
class Direction {
  readonly src: Socket;
  readonly dst: Socket;
  bytes = 0;
  srcEnded = false;
  result: CopyDirection | null = null;

  constructor(src: Socket, dst: Socket) {
    this.src = src;
    this.dst = dst;
  }

  settle(end: CopyEnd, error: Error | null = null): void {
    if (this.result === null) this.result = { end, bytes: this.bytes, error };
  }
}

/** The listeners one copier adds to one socket, kept to remove exactly these. */
interface SocketListeners {
  data: (chunk: Buffer) => void;
  end: () => void;
  drain: () => void;
  finish: () => void;
  error: (err: Error) => void;
  close: () => void;
}

/**
 * Copier runs both directions between two sockets it owns for the rest of
 * their lives; `done` resolves once both are closed and its listeners gone.
 */
class Copier {
  readonly #user: Socket;
  readonly #backend: Socket;
  readonly #toBackend: Direction;
  readonly #fromBackend: Direction;
  readonly #listeners = new Map<Socket, SocketListeners>();
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = (): void => this.#cut();
  #open = 2; // sockets not yet closed
  #resolve!: (result: SwitchProtocolResult) => void;
  readonly done = new Promise<SwitchProtocolResult>((resolve) => (this.#resolve = resolve));

  constructor(user: Socket, backend: Socket, options: SwitchProtocolOptions) {
    this.#user = user;
    this.#backend = backend;
    this.#toBackend = new Direction(user, backend);
    this.#fromBackend = new Direction(backend, user);
    this.#signal = options.signal;
    for (const socket of [user, backend]) {
      // Each direction half-closes on its own, so no socket may end its
      // writable side because its readable side ended (net's default).
      socket.allowHalfOpen = true;
      this.#listen(socket);
    }
    this.#start(this.#toBackend, options.userHead);
    this.#start(this.#fromBackend, options.backendHead);
    if (user.destroyed) this.#onClose(user);
    if (backend.destroyed) this.#onClose(backend);
    if (this.#signal?.aborted === true) this.#cut();
    else this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  #reading(socket: Socket): Direction {
    return socket === this.#user ? this.#toBackend : this.#fromBackend;
  }

  #writing(socket: Socket): Direction {
    return socket === this.#user ? this.#fromBackend : this.#toBackend;
  }

  #listen(socket: Socket): void {
    const reading = this.#reading(socket);
    const writing = this.#writing(socket);
    const listeners: SocketListeners = {
      data: (chunk) => {
        reading.bytes += chunk.length;
        if (!reading.dst.write(chunk)) socket.pause();
      },
      end: () => {
        reading.srcEnded = true;
        reading.dst.end();
      },
      drain: () => {
        if (!writing.srcEnded) writing.src.resume();
      },
      finish: () => {
        if (writing.srcEnded) writing.settle('eof');
        this.#maybeClose();
      },
      error: (err) => {
        const direction = reading.result === null && !reading.srcEnded ? reading : writing;
        direction.settle('error', err);
        this.#cut();
      },
      close: () => this.#onClose(socket),
    };
    this.#listeners.set(socket, listeners);
    socket.on('data', listeners.data);
    socket.on('end', listeners.end);
    socket.on('drain', listeners.drain);
    socket.on('finish', listeners.finish);
    socket.on('error', listeners.error);
    socket.on('close', listeners.close);
  }

  #start(direction: Direction, head: Uint8Array | undefined): void {
    let flowing = true;
    if (head !== undefined && head.length > 0) {
      direction.bytes += head.length;
      flowing = direction.dst.write(head);
    }
    if (flowing) direction.src.resume();
    else direction.src.pause();
  }

  /** A socket closed: whatever it still had to read or receive is cut short. */
  #onClose(socket: Socket): void {
    if (!this.#listeners.has(socket)) return;
    const reading = this.#reading(socket);
    const writing = this.#writing(socket);
    let cut = false;
    if (!reading.srcEnded && reading.result === null) {
      reading.settle('closed');
      cut = true;
    }
    if (writing.result === null) {
      writing.settle('closed');
      cut = true;
    }
    this.#open--;
    this.#unlisten(socket);
    if (cut) this.#cut();
    else this.#maybeClose();
  }

  /** Ends the copy: unfinished directions become `closed`; both sockets are destroyed. */
  #cut(): void {
    this.#toBackend.settle('closed');
    this.#fromBackend.settle('closed');
    this.#destroyAll();
  }

  /** Both directions done: the sockets have nothing left to do. */
  #maybeClose(): void {
    if (this.#toBackend.result === null || this.#fromBackend.result === null) return;
    this.#destroyAll();
  }

  #destroyAll(): void {
    this.#user.destroy();
    this.#backend.destroy();
    if (this.#open === 0) this.#finish();
  }

  #unlisten(socket: Socket): void {
    const listeners = this.#listeners.get(socket);
    if (listeners === undefined) return;
    this.#listeners.delete(socket);
    socket.off('data', listeners.data);
    socket.off('end', listeners.end);
    socket.off('drain', listeners.drain);
    socket.off('finish', listeners.finish);
    socket.off('error', listeners.error);
    socket.off('close', listeners.close);
  }

  #finish(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#resolve({ toBackend: this.#toBackend.result!, fromBackend: this.#fromBackend.result! });
  }
}

/**
 * copySwitchedProtocol copies bytes both ways between the user (client)
 * socket and the backend socket after a 101 Switching Protocols or a
 * CONNECT, as Go's switchProtocolCopier, and owns both sockets from then
 * on. Each side's `head` goes out first. Each direction keeps back-pressure
 * (the source pauses while the destination's buffer is full) and
 * half-closes: when one side ends, the other side's writable is ended once
 * the bytes before the end are handed over, and the other direction keeps
 * running (go#35892; both sockets get `allowHalfOpen = true`). Both
 * sockets are destroyed when both directions are done, at the first error
 * on either socket, when either closes without an end, or on abort. The
 * promise never rejects: it resolves with how each direction ended once
 * both sockets are closed and every listener the copier added is removed.
 */
export function copySwitchedProtocol(
  user: Socket,
  backend: Socket,
  options: SwitchProtocolOptions = {},
): Promise<SwitchProtocolResult> {
  return new Copier(user, backend, options).done;
}
