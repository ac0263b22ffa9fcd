import type { Socket } from 'node:net';
import { ErrClosed, ErrPersistEOF, ErrPipeline } from '../errors.js';
import { Pipeline } from '../io/pipeline.js';
import { runEpoch } from '../io/run-epoch.js';
import type { Detached } from '../io/socket-reader.js';
import type { Request } from '../message/request.js';
import { Response } from '../message/response.js';
import { sendRequest } from '../message/write-message.js';
import type { ConnOptions } from './conn-options.js';
import { ConnCore } from './conn-core.js';

/** ReadOptions for `ClientConn.read` and `do`. */
export interface ReadOptions {
  /**
   * Called with each 1xx response other than 101 (100 Continue, 103 Early
   * Hints, ...) before the final response; default: they are skipped.
   */
  onInformational?: (res: Response) => void;
}

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
    const id = this.#pipe.next();
    this.#pipereq.set(req, id);
    let ok = false;
    const turn = this.#pipe.startRequest(id);
    if (turn !== undefined) await turn;
    try {
      const socket = this.#core.socket;
      if (socket === null) throw ErrClosed;
      if (this.#core.readErr !== null) throw this.#core.readErr; // no point sending if the read side is done
      if (this.#core.writeErr !== null) throw this.#core.writeErr;
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
   * the responses to earlier requests to be read first, and reads an unread
   * previous body to its end. 1xx responses go to `onInformational`. A
   * response with `close` set is returned, and later reads throw ErrPersistEOF.
   */
  async read(req: Request, options: ReadOptions = {}): Promise<Response> {
    const id = this.#pipereq.get(req);
    if (id === undefined) throw ErrPipeline;
    this.#pipereq.delete(req);
    const turn = this.#pipe.startResponse(id);
    if (turn !== undefined) await turn;
    try {
      if (this.#writeFailed.delete(id)) throw ErrPipeline;
      if (this.#core.socket === null) throw ErrClosed;
      if (this.#core.readErr !== null) throw this.#core.readErr;
      // Responses up to the final one for `req`; a failure becomes the sticky read error.
      try {
        for (;;) {
          const { head, body } = await this.#core.messages.next(req.method);
          const res = Response.fromHead(head, { body, request: req });
          const status = res.status;
          if (status >= 100 && status <= 199 && status !== 101) {
            options.onInformational?.(res);
            continue;
          }
          this.#nread++;
          // A closing response ends the connection; after an upgrade, or any
          // 101 (the parser stopped), the rest is not HTTP.
          if (res.close || this.#core.messages.upgraded) this.#core.readErr = ErrPersistEOF;
          return res;
        }
      } catch (err) {
        this.#core.readErr ??= err as Error;
        throw this.#core.readErr;
      }
    } finally {
      this.#pipe.endResponse(id);
    }
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

  /** do writes `req` and reads its response (Go's ClientConn.Do). */
  async do(req: Request, options?: ReadOptions): Promise<Response> {
    await this.write(req);
    return this.read(req, options);
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
