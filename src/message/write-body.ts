import { ProtocolError } from '../errors.js';
import { Body } from './body.js';
import { type BodyListener, type BodyTap, LISTEN, LISTENABLE } from './body-listener.js';
import { type BodyInit, type BodySource, bodySource } from './body-source.js';
import { CRLF, chunkHeader, lastChunk } from './chunked.js';
import type { Framing } from './write-head.js';

/**
 * Sink is where messages are written: a `net.Socket` or `tls.TLSSocket`
 * satisfies it. `write` returning false means "wait for 'drain'";
 * `cork`/`uncork`, when present, gather several writes into one.
 */
export interface Sink {
  write(chunk: Uint8Array): boolean;
  once(event: 'drain' | 'close' | 'error', listener: (err?: Error) => void): unknown;
  off(event: 'drain' | 'close' | 'error', listener: (err?: Error) => void): unknown;
  readonly destroyed?: boolean;
  /** Bytes written and not yet handed to the kernel; when 0 after a `write` that returned false, there is no need to wait. */
  readonly writableLength?: number;
  /** How many `cork()` calls are not yet matched by `uncork()`. */
  readonly writableCorked?: number;
  cork?(): void;
  uncork?(): void;
  /** Takes a small message as its head (latin1) and parts, `total` bytes, copying them (a WriteBatch). */
  writeMessage?(head: string, parts: readonly Uint8Array[], total: number): boolean;
}

/** Writes whose parts add up to at most this many bytes are copied into one buffer. */
const COALESCE_BYTES = 16384;

const LATE = Symbol('late');

const NO_BYTES = new Uint8Array(0);
const NO_PARTS: readonly Uint8Array[] = [];

function closedError(): ProtocolError {
  return new ProtocolError('ERR_SOCKET_CLOSED', 'socket closed before the message was written');
}

function mismatch(declared: number, actual: number): ProtocolError {
  const has = actual > declared ? `more than ${declared}` : String(actual);
  return new ProtocolError(
    'ERR_CONTENT_LENGTH_MISMATCH',
    `body has ${has} bytes but contentLength is ${declared}`,
  );
}

/** drained resolves on the sink's next 'drain' and rejects if it closes or errors first. */
export function drained(sink: Sink): Promise<void> {
  if (sink.destroyed === true) return Promise.reject(closedError());
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(closedError());
    };
    const onError = (err?: Error) => {
      cleanup();
      reject(err ?? closedError());
    };
    const cleanup = () => {
      sink.off('drain', onDrain);
      sink.off('close', onClose);
      sink.off('error', onError);
    };
    sink.once('drain', onDrain);
    sink.once('close', onClose);
    sink.once('error', onError);
  });
}

/**
 * FramedWriter frames body chunks and gathers small writes: parts are
 * queued and `flush()` sends them as one buffer when small, else one write
 * each inside a cork, then waits for 'drain' when the sink asks for it.
 */
class FramedWriter {
  readonly #sink: Sink;
  readonly #framing: Framing;
  /** The message head (latin1), written before the parts. */
  #head: string | null = null;
  #parts: Uint8Array[] = [];
  /** Bytes of the head and the parts. */
  #partBytes = 0;
  /** Body bytes accepted so far (before framing). */
  #bodyBytes = 0;

  constructor(sink: Sink, framing: Framing) {
    this.#sink = sink;
    this.#framing = framing;
  }

  get pending(): boolean {
    return this.#head !== null || this.#parts.length > 0;
  }

  /** head queues the message head, latin1 text, ahead of everything. */
  head(text: string): void {
    this.#head = text;
    this.#partBytes += text.length;
  }

  queue(part: Uint8Array): void {
    this.#parts.push(part);
    this.#partBytes += part.byteLength;
  }

  /** data frames one body chunk; a chunk that would overrun a declared length throws before anything of it is queued. */
  data(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    const framing = this.#framing;
    this.#bodyBytes += chunk.byteLength;
    if (framing.kind === 'length' && this.#bodyBytes > framing.length) {
      throw mismatch(framing.length, this.#bodyBytes);
    }
    if (framing.kind === 'chunked') {
      this.queue(chunkHeader(chunk.byteLength));
      this.queue(chunk);
      this.queue(CRLF);
    } else {
      this.queue(chunk);
    }
  }

  /** end checks the length and queues the last chunk with the trailers. */
  end(): void {
    const framing = this.#framing;
    if (framing.kind === 'length' && this.#bodyBytes !== framing.length) {
      throw mismatch(framing.length, this.#bodyBytes);
    }
    if (framing.kind === 'chunked') this.queue(lastChunk(framing.trailer));
  }

  /**
   * flush hands the head and the queued parts to the sink: as one buffer
   * when they are small, else one write each inside a cork. It returns a
   * promise only when the sink asked to wait for 'drain'.
   */
  flush(): Promise<void> | undefined {
    const head = this.#head;
    const parts = this.#parts;
    if (head === null && parts.length === 0) return undefined;
    const ok = sendParts(this.#sink, head ?? '', parts, this.#partBytes);
    this.#head = null;
    this.#parts = [];
    this.#partBytes = 0;
    // A write over the high-water mark returns false even when it went out at once (loopback, a big socket buffer).
    return ok || this.#sink.writableLength === 0 ? undefined : drained(this.#sink);
  }
}

/** toSource turns a message body into a source once, or null for none. */
function toSource(body: BodyInit | Body | undefined): BodySource | null {
  return body instanceof Body ? body.toSource() : bodySource(body);
}

/**
 * firstChunk waits for the first chunk, but writes what is queued (the
 * head) if that chunk is not ready within one turn of the event loop: a
 * head goes out with the first chunk when it can, never held back by a
 * slow body.
 */
async function firstChunk(
  it: AsyncIterator<Uint8Array>,
  out: FramedWriter,
): Promise<IteratorResult<Uint8Array>> {
  const next = it.next();
  if (!out.pending) return next;
  let timer: NodeJS.Immediate | undefined;
  const late = new Promise<typeof LATE>((resolve) => {
    timer = setImmediate(resolve, LATE);
  });
  let first: IteratorResult<Uint8Array> | typeof LATE;
  try {
    first = await Promise.race([next, late]);
  } finally {
    clearImmediate(timer);
  }
  if (first !== LATE) return first;
  await out.flush();
  return next;
}

/**
 * writeBody writes `head` (latin1 text, if given) and then `body` framed as `framing`
 * says, honouring back-pressure: when the sink's `write` returns false it
 * waits for 'drain' (and fails if the sink closes first). The head and a
 * body in memory go out in one write when small; a streamed body's first
 * chunk joins the head if it is ready at once. With `none` framing the body
 * is left untouched. A body shorter or longer than a `length` framing fails
 * with `ERR_CONTENT_LENGTH_MISMATCH` (nothing past the declared length is
 * written), and a failing body with its error, leaving a chunked body
 * unterminated; in both cases the message on the wire is incomplete and the
 * caller must close the connection. The sink is never ended: after `close`
 * framing the caller closes it. A body in memory is written at once: the
 * result is then undefined, or a promise for the sink's 'drain'; errors are
 * thrown. Else it is a promise that settles once the body was written.
 */
export function writeBody(
  sink: Sink,
  body: BodyInit | Body | undefined,
  framing: Framing,
  head?: string,
): Promise<void> | undefined {
  if (framing.kind === 'none') {
    return head === undefined ? undefined : writeWhole(sink, head, NO_BYTES, 0);
  }
  if (body instanceof Body && body[LISTENABLE]) {
    const out = new FramedWriter(sink, framing);
    if (head !== undefined) out.head(head);
    return writeListened(body, out);
  }
  const source = toSource(body);
  if (source !== null && source.bytes !== null && framing.kind === 'length') {
    return writeWhole(sink, head ?? '', source.bytes, framing.length);
  }
  const out = new FramedWriter(sink, framing);
  if (head !== undefined) out.head(head);
  if (source === null) {
    out.end();
    return out.flush();
  }
  if (source.bytes !== null) {
    out.data(source.bytes);
    out.end();
    return out.flush();
  }
  return writeChunks(source.chunks()[Symbol.asyncIterator](), out);
}

/**
 * writeWhole writes a head and a body of known length in one buffer (one
 * write each when large), the common case of a message in memory; a body
 * whose size is not `length` throws before anything is written.
 */
function writeWhole(
  sink: Sink,
  head: string,
  bytes: Uint8Array,
  length: number,
): Promise<void> | undefined {
  if (bytes.byteLength !== length) throw mismatch(length, bytes.byteLength);
  const ok = sendParts(sink, head, length === 0 ? NO_PARTS : [bytes], head.length + length);
  return ok ? undefined : drained(sink);
}

/**
 * sendParts hands a head (latin1 text, maybe '') and byte parts, `total`
 * bytes in all, to the sink: as one buffer when small, else one write each
 * inside a cork. It returns what the last `write` did (false: wait for
 * 'drain') and throws when the sink is already destroyed.
 */
export function sendParts(
  sink: Sink,
  head: string,
  parts: readonly Uint8Array[],
  total: number,
): boolean {
  if (sink.destroyed === true) throw closedError();
  if (head === '' && parts.length === 1) return sink.write(parts[0]!);
  if (total <= COALESCE_BYTES && sink.writeMessage !== undefined) {
    return sink.writeMessage(head, parts, total);
  }
  if (total <= COALESCE_BYTES) {
    const joined = Buffer.allocUnsafe(total);
    let at = joined.write(head, 0, 'latin1');
    for (const part of parts) {
      joined.set(part, at);
      at += part.byteLength;
    }
    return sink.write(joined);
  }
  sink.cork?.();
  let ok = head === '' || sink.write(Buffer.from(head, 'latin1'));
  for (const part of parts) ok = sink.write(part);
  sink.uncork?.();
  return ok;
}

/**
 * writeListened writes a Body a connection fills as its chunks arrive, with
 * no promise per chunk (the fast path of every proxied body): each chunk is
 * framed and handed to the sink as a view of the received bytes, the first
 * one with the head when it is ready within one turn of the event loop (the
 * head goes alone after that), and delivery pauses while the sink waits for
 * 'drain'. A failed write or a chunk past the declared length abandons the
 * body. `body` must be `[LISTENABLE]`.
 */
function writeListened(body: Body, out: FramedWriter): Promise<void> {
  let settle!: { resolve(): void; reject(err: Error): void };
  const written = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  let headTimer: NodeJS.Immediate | undefined;
  let tap: BodyTap | null = null;
  const fail = (err: Error) => {
    clearImmediate(headTimer);
    tap?.stop();
    settle.reject(err);
  };
  const resume = () => tap?.resume();
  const listener: BodyListener = {
    data(chunk) {
      try {
        out.data(chunk);
        const drain = out.flush();
        if (drain === undefined) return true;
        drain.then(resume, fail);
      } catch (err) {
        fail(err as Error);
      }
      return false;
    },
    end() {
      clearImmediate(headTimer);
      try {
        out.end();
        const drain = out.flush();
        if (drain === undefined) settle.resolve();
        else drain.then(settle.resolve, settle.reject);
      } catch (err) {
        settle.reject(err as Error);
      }
    },
    error(err) {
      clearImmediate(headTimer);
      settle.reject(err);
    },
  };
  tap = body[LISTEN](listener);
  tap.resume(); // the chunks already received go now, the first with the head
  if (out.pending) {
    headTimer = setImmediate(() => {
      try {
        out.flush()?.catch(fail);
      } catch (err) {
        fail(err as Error);
      }
    });
  }
  return written;
}

/** writeChunks writes a streamed body through `out`, waiting for each chunk and for 'drain'. */
async function writeChunks(it: AsyncIterator<Uint8Array>, out: FramedWriter): Promise<void> {
  try {
    for (let r = await firstChunk(it, out); r.done !== true; r = await it.next()) {
      out.data(r.value);
      await out.flush();
    }
  } catch (err) {
    await closeQuietly(it);
    throw err;
  }
  out.end();
  await out.flush();
}

/** Lets the source release what it holds (a Readable is destroyed); its own errors do not mask ours. */
async function closeQuietly(it: AsyncIterator<Uint8Array>): Promise<void> {
  try {
    await it.return?.();
  } catch {
    // The write already failed; this error is the one reported.
  }
}
