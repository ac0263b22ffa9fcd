import type { Socket } from 'node:net';
import { ErrClosed, ErrPersistEOF, ErrPipeline, ProtocolError } from '../errors.js';
import { Pipeline } from '../io/pipeline.js';
import { runEpoch } from '../io/run-epoch.js';
import type { Detached } from '../io/socket-reader.js';
import type { Body } from '../message/body.js';
import type { Request } from '../message/request.js';
import { type IncomingResponse, Response } from '../message/response.js';
import { sendRequest } from '../message/write-message.js';
import { expectRequest } from '../message/expect-class.js';
import type { ConnOptions } from './conn-options.js';
import { ConnCore } from './conn-core.js';

/** ReadOptions for `ClientConn.read` and `do`. */
export interface ReadOptions {
  /**
   * Called with each 1xx response other than 101 (100 Continue, 103 Early
   * Hints, ...) before the final response; default: they are skipped.
   */
  onInformational?: (res: Response) => void;
  /**
   * Aborts the read: it rejects with `signal.reason`. A response of which
   * no byte has arrived is skipped (read and dropped) when it comes; one
   * that had started fails the conn (sticky) and destroys its socket, as
   * the conn cannot stay in step. Once `read` resolved, it no longer applies.
   */
  signal?: AbortSignal;
  /**
   * Most interim (1xx other than 101) responses before the final one;
   * default 5, as Go ≤ 1.23. One more fails the read (and the conn) with
   * `ERR_TOO_MANY_1XX`. Their heads also count against `maxHeaderBytes`
   * with the final head (Go 1.24): past it, HPE_HEADER_OVERFLOW.
   */
  max1xxResponses?: number;
}

/** WRITTEN keys ClientConn's method for a request another writer sent (internal). */
export const WRITTEN = Symbol('httpwire.written');

/** DEFAULT_MAX_1XX_RESPONSES: Go's limit before 1.24 (net/http transport.go). */
const DEFAULT_MAX_1XX_RESPONSES = 5;

/**
 * ClientConn is Go's httputil.ClientConn on a connected socket: it writes
 * requests and reads their responses in order over one keep-alive
 * connection, with pipelining. Several `write`s may precede the `read`s;
 * `read` may run concurrently with `write`. Errors are sticky per side.
 */
export class ClientConn<S extends Socket = Socket> {
  readonly #core: ConnCore<S>;
  readonly #absoluteForm: boolean;
  #sentInRun = -1; // the runEpoch of the last request sent (see #burst)
  readonly #pipe = new Pipeline();
  readonly #pipereq = new Map<Request, number>(); // written or being written, not yet read
  readonly #writeFailed = new Set<number>(); // ids whose read was called before their write failed
  #turnNow = -1; // the id whose response is being read
  #lastBody: Body | null = null; // the body of the latest final response
  #nread = 0;
  #nwritten = 0;

  /** Use `newClientConn` or `newProxyClientConn`. */
  constructor(
    socket: S,
    head: Uint8Array | undefined,
    absoluteForm: boolean,
    options: ConnOptions,
  ) {
    this.#absoluteForm = absoluteForm;
    this.#core = new ConnCore(socket, head, 'response', options);
  }

  /**
   * write writes `req` on the connection, after every earlier write. A
   * request with `close` set is the last one: later writes throw
   * ErrPersistEOF. A failed write is sticky, and so is a failed read (there
   * is no point sending then); after `hijack()` or `close()`, ErrClosed.
   */
  async write(req: Request): Promise<void> {
    expectRequest(req, 'ClientConn.write');
    const id = this.#pipe.next();
    this.#pipereq.set(req, id);
    let ok = false;
    const turn = this.#pipe.startRequest(id);
    if (turn !== undefined) await turn;
    try {
      const socket = this.#core.socket;
      if (this.#core.writeErr !== null) throw this.#core.writeErr; // ErrClosed after hijack
      if (this.#core.readErr !== null) throw this.#core.readErr; // no point sending if the read side is done
      if (socket === null) throw ErrClosed;
      if (req.close) this.#core.writeErr = ErrPersistEOF; // pipelined reads may still come
      try {
        const { pending } = sendRequest(socket, req, {
          absoluteForm: this.#absoluteForm,
          cork: this.#burst(),
        });
        if (pending !== null) await pending;
      } catch (err) {
        this.#core.writeErr = err as Error;
        throw err;
      }
      this.#nwritten++;
      ok = true;
    } finally {
      this.#pipe.endRequest(id);
      if (!ok) this.#abandon(req, id);
    }
  }

  /**
   * read reads the response to `req`, which must have been written (or be
   * being written) and not yet read, else it throws ErrPipeline; so does a
   * read waiting its turn when the write of `req` fails. It waits for
   * the responses to earlier requests to be read first. The previous body,
   * when its turn comes: one being read is waited for; one nobody started
   * to read is given until the end of the current turn of the event loop
   * (a macrotask), then drained, and a later read of it rejects with
   * ErrBodyDiscarded. 1xx responses go to `onInformational`. A response
   * with `close` set is returned, and later reads throw ErrPersistEOF.
   */
  read(req: Request, options: ReadOptions = {}): Promise<IncomingResponse> {
    try {
      expectRequest(req, 'ClientConn.read');
    } catch (err) {
      return Promise.reject(err);
    }
    const id = this.#pipereq.get(req);
    if (id === undefined) return Promise.reject(ErrPipeline);
    this.#pipereq.delete(req);
    const reading = this.#readInTurn(req, id, options);
    const signal = options.signal;
    return signal === undefined ? reading : this.#abortable(reading, id, signal);
  }

  async #readInTurn(req: Request, id: number, options: ReadOptions): Promise<IncomingResponse> {
    const turn = this.#pipe.startResponse(id);
    if (turn !== undefined) await turn;
    try {
      const prev = this.#lastBody;
      this.#lastBody = null;
      // API.md "Unread bodies": a body claimed in the continuation of its read is not drained.
      if (prev !== null && !prev.consumed && prev.length !== 0) await macrotask();
      this.#turnNow = id;
      if (this.#writeFailed.delete(id)) throw ErrPipeline;
      if (this.#core.readErr !== null) throw this.#core.readErr; // ErrClosed after hijack
      if (this.#core.socket === null) throw ErrClosed;
      // Responses up to the final one for `req`; a failure becomes the sticky read error.
      try {
        return await this.#readFinal(req, options);
      } catch (err) {
        this.#core.readErr ??= err as Error;
        throw this.#core.readErr;
      }
    } finally {
      this.#turnNow = -1;
      this.#pipe.endResponse(id);
    }
  }

  /** #readFinal reads the final response to `req`, passing interim ones to `onInformational`. */
  async #readFinal(req: Request, options: ReadOptions): Promise<IncomingResponse> {
    const messages = this.#core.messages;
    const max1xx = options.max1xxResponses ?? DEFAULT_MAX_1XX_RESPONSES;
    let interim = 0;
    let start = -1; // stream offset of the first head for `req`
    for (;;) {
      const used = start === -1 ? 0 : messages.offset - start;
      const { head, body } = await messages.next(req.method, used);
      if (start === -1) start = messages.messageStart;
      const res = Response.fromHead(head, { body, request: req }) as IncomingResponse;
      const status = res.status;
      if (status >= 100 && status <= 199 && status !== 101) {
        if (++interim > max1xx) {
          throw new ProtocolError('ERR_TOO_MANY_1XX', `more than ${max1xx} 1xx responses`);
        }
        options.onInformational?.(res);
        continue;
      }
      this.#nread++;
      this.#lastBody = body;
      // A closing response ends the connection; after an upgrade, or any
      // 101 (the parser stopped), the rest is not HTTP.
      if (res.close || messages.upgraded) this.#core.readErr = ErrPersistEOF;
      return res;
    }
  }

  /**
   * #abortable rejects with `signal.reason` when it aborts before `reading`
   * settles: a response of which no byte was parsed is dropped when it
   * comes, one being parsed fails the conn.
   */
  #abortable(
    reading: Promise<IncomingResponse>,
    id: number,
    signal: AbortSignal,
  ): Promise<IncomingResponse> {
    const skip = () => {
      if (this.#turnNow === id && this.#core.messages.inMessage) {
        this.#core.fail(signal.reason as Error);
        return;
      }
      reading.then((res) => res.body.dump(), noop).catch(noop);
    };
    if (signal.aborted) {
      skip();
      return Promise.reject(signal.reason as Error);
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        skip();
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      reading.then(
        (res) => {
          signal.removeEventListener('abort', onAbort);
          resolve(res);
        },
        (err: Error) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }

  /**
   * #burst reports whether a request was already sent in the current run of
   * callbacks and promise jobs. The first one leaves at once, so that the
   * server starts on it; the others of the run are corked and leave
   * together in one write (a client refilling its pipeline as a batch of
   * responses arrives), not one syscall each.
   */
  #burst(): boolean {
    const run = runEpoch();
    if (this.#sentInRun === run) return true;
    this.#sentInRun = run;
    return false;
  }

  /**
   * do writes `req` and reads its response (Go's ClientConn.Do); the read
   * is claimed at once, so that a response arriving while a body is still
   * being sent (a 413 to an upload) is returned. A write error wins over
   * the read's. `signal` (see ReadOptions) also ends the wait for the write.
   */
  async do(req: Request, options: ReadOptions = {}): Promise<IncomingResponse> {
    expectRequest(req, 'ClientConn.do');
    options.signal?.throwIfAborted();
    const written = this.write(req);
    const response = this.read(req, options);
    try {
      await Promise.race([written, response]);
    } catch (err) {
      response.catch(noop); // the write error, or the abort, is the one reported
      throw err;
    }
    written.catch(noop); // the response came first: a late write error is the conn's, sticky
    return response;
  }

  /**
   * buffered is the number of bytes received and not yet consumed: while no
   * response is expected, anything here is a stale or unsolicited response
   * (a pool must not reuse the connection).
   */
  get buffered(): number {
    return this.#core.socket === null ? 0 : this.#core.reader.queued;
  }

  /** pending returns the number of requests written and not yet answered. */
  pending(): number {
    return this.#nwritten - this.#nread;
  }

  /**
   * [WRITTEN] records `req` as written on the socket before this conn was
   * made on it (internal: a Transport's raw exchange handing over a
   * response it will not read itself): the conn must be fresh, and its
   * `head` the response's bytes so far; `read(req)` reads it next.
   */
  [WRITTEN](req: Request): void {
    if (this.#nwritten !== 0) throw new Error('ClientConn[WRITTEN] on a conn that wrote already');
    const id = this.#pipe.next();
    this.#pipereq.set(req, id);
    void this.#pipe.startRequest(id); // a fresh conn: nothing to wait for
    this.#nwritten++;
    this.#pipe.endRequest(id);
  }

  /**
   * hijack detaches the conn from its socket and returns the socket with
   * every byte read from it but not consumed (after a 101 or a 2xx to
   * CONNECT: the first tunnel bytes). The conn then never touches the
   * socket again and later calls throw ErrClosed.
   */
  hijack(): Detached<S> {
    return this.#core.hijack();
  }

  /** close hijacks the connection and ends the socket; closing twice does nothing. */
  close(): void {
    this.#core.close();
  }

  /**
   * #abandon gives up the response turn of a request whose write failed:
   * its turn is skipped, or, when `read(req)` already claimed it and waits
   * for its turn, that read throws ErrPipeline.
   */
  #abandon(req: Request, id: number): void {
    if (this.#pipereq.get(req) !== id) {
      this.#writeFailed.add(id);
      return;
    }
    this.#pipereq.delete(req);
    this.#pipe.skipResponse(id);
  }
}

/**
 * newClientConn returns a ClientConn on the connected `socket`; `head` holds
 * bytes already read from it. Requests go out in origin form.
 */
export function newClientConn<S extends Socket>(
  socket: S,
  head?: Uint8Array,
  options: ConnOptions = {},
): ClientConn<S> {
  return new ClientConn(socket, head, false, options);
}

/**
 * newProxyClientConn is newClientConn for talking to an HTTP proxy: request
 * targets go out in absolute form (RFC 9112 §3.2.2).
 */
export function newProxyClientConn<S extends Socket>(
  socket: S,
  head?: Uint8Array,
  options: ConnOptions = {},
): ClientConn<S> {
  return new ClientConn(socket, head, true, options);
}

/** macrotask resolves after the current turn of the event loop (its promise jobs and I/O callbacks). */
function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function noop(): void {}
