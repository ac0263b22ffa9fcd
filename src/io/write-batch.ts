import type { Socket } from 'node:net';

/** Writes up to this size are batched; larger ones go straight to the socket, after what is batched. */
const SMALL_BYTES = 16384;

/**
 * WriteBatch is a socket's write side for a ServerConn: small writes made
 * in the same run of callbacks and promise jobs (the answers to pipelined
 * requests) are copied into one buffer that leaves in one socket write when
 * the run is over, instead of one stream write each inside a cork. A lone
 * message is written as it is, one run later. Larger writes and `flush()`
 * send what is batched first, so bytes keep their order. A write returns
 * false, as a stream's does, when the socket asks the writer to wait for
 * 'drain' (which the socket emits: `once`/`off` are its).
 */
export class WriteBatch {
  readonly #socket: Socket;
  /** The only write of this run so far, or null. */
  #lone: Uint8Array | null = null;
  /** From the second write of a run on: the writes so far, `#used` bytes of it. */
  #slab: Buffer | null = null;
  #used = 0;
  #scheduled = false;
  readonly #flushLater = () => {
    this.#scheduled = false;
    this.flush();
  };

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  get destroyed(): boolean {
    return this.#socket.destroyed;
  }

  /** writableLength counts what is batched and what the socket has not handed to the kernel yet. */
  get writableLength(): number {
    return this.#socket.writableLength + (this.#lone?.byteLength ?? this.#used);
  }

  /** write queues `chunk` (kept, not copied, while it is the only one) or, when large, writes it now. */
  write(chunk: Uint8Array): boolean {
    if (chunk.byteLength > SMALL_BYTES) {
      this.flush();
      return this.#socket.write(chunk);
    }
    return this.writeMessage('', [chunk], chunk.byteLength);
  }

  /**
   * writeMessage queues a message given as a head (latin1 text) and byte
   * parts, `total` bytes in all, copying them into the batch: the head is
   * never made a buffer of its own. A message over 16 KiB is written now,
   * after what is batched.
   */
  writeMessage(head: string, parts: readonly Uint8Array[], total: number): boolean {
    if (total > SMALL_BYTES) {
      this.flush();
      return this.#socket.write(join(head, parts, total));
    }
    let ok = true;
    if (this.#lone === null && this.#slab === null) {
      this.#lone = head === '' && parts.length === 1 ? parts[0]! : join(head, parts, total);
      this.#schedule();
      return true;
    }
    if (this.#slab === null) {
      const lone = this.#lone!;
      this.#lone = null;
      this.#slab = Buffer.allocUnsafe(SMALL_BYTES);
      this.#slab.set(lone, 0);
      this.#used = lone.byteLength;
    }
    if (this.#used + total > SMALL_BYTES) {
      ok = this.flush();
      return this.writeMessage(head, parts, total) && ok;
    }
    this.#used = copyInto(this.#slab, this.#used, head, parts);
    return ok;
  }

  /** flush writes what is batched, as one buffer; it returns what the socket's write did (true when nothing was batched). */
  flush(): boolean {
    let out: Uint8Array;
    if (this.#lone !== null) {
      out = this.#lone;
      this.#lone = null;
    } else if (this.#slab !== null) {
      out = this.#slab.subarray(0, this.#used);
      this.#slab = null;
      this.#used = 0;
    } else {
      return true;
    }
    if (this.#socket.destroyed) return false; // lost with the connection, as a corked write would be
    return this.#socket.write(out);
  }

  once(event: 'drain' | 'close' | 'error', listener: (err?: Error) => void): unknown {
    return this.#socket.once(event, listener);
  }

  off(event: 'drain' | 'close' | 'error', listener: (err?: Error) => void): unknown {
    return this.#socket.off(event, listener);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(this.#flushLater);
  }
}

/** join makes one buffer of a head (latin1 text) and parts, `total` bytes in all. */
function join(head: string, parts: readonly Uint8Array[], total: number): Buffer {
  const joined = Buffer.allocUnsafe(total);
  copyInto(joined, 0, head, parts);
  return joined;
}

/** copyInto writes the head (latin1) and the parts into `target` at `at` and returns the offset after them. */
function copyInto(target: Buffer, at: number, head: string, parts: readonly Uint8Array[]): number {
  let end = head === '' ? at : at + target.write(head, at, 'latin1');
  for (const part of parts) {
    target.set(part, end);
    end += part.byteLength;
  }
  return end;
}
