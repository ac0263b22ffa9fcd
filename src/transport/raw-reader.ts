import { ErrPersistEOF } from '../errors.js';
import type { ConnOptions } from '../conn/conn-options.js';
import { parserLimits } from '../message/parser-limits.js';
import { Parser } from '../parser/parser.js';
import type { MessageHead } from '../parser/types.js';

/** RawOutcome: how a raw read ends; exactly one is called per `start`. */
export interface RawOutcome {
  /**
   * plain: a final response framed by its Content-Length (at most the
   * body limit), to a request other than HEAD or CONNECT, whole in the
   * chunk that completed its head: its head and body. `stale` when bytes
   * followed it (the connection must close).
   */
  plain(head: MessageHead, body: Uint8Array, stale: boolean): void;
  /** adopt: any other response, or one whose body streams; `bytes` are all of it received so far, for a ClientConn to read. */
  adopt(bytes: Buffer): void;
  /** failed: the connection failed (or the response was malformed) before a plain response was whole. */
  failed(err: Error): void;
}

const EMPTY = new Uint8Array(0);

/**
 * RawReader reads one response at a time off a Transport connection with
 * our Parser by callbacks, for the raw exchange (raw-exchange.ts): no
 * ClientConn, Body or promise. It keeps what it received of the response
 * so that one it does not take can be handed to a ClientConn from its
 * first byte.
 */
export class RawReader {
  readonly #parser: Parser;
  readonly #maxBody: number;
  #outcome: RawOutcome | null = null; // while a response is read
  #method = 'GET';
  #held: Buffer[] = []; // the response's bytes so far
  #head: MessageHead | null = null;
  #body: Uint8Array = EMPTY; // identity-framed and whole in one read: one onBody at most
  #adopting = false;
  #complete = false;

  constructor(options: ConnOptions) {
    this.#parser = new Parser('response', this, parserLimits(options));
    this.#maxBody = options.bodyHighWaterMark ?? 65536;
  }

  /** start reads the response to a request with `method`, ending with one call of `outcome`. */
  start(method: string, outcome: RawOutcome): void {
    this.#method = method;
    this.#parser.requestMethod = method;
    this.#outcome = outcome;
  }

  /** data takes bytes from the socket; outside an exchange they are not expected (the owner closes). */
  data(chunk: Buffer): void {
    const outcome = this.#outcome;
    if (outcome === null) return;
    this.#held.push(chunk);
    let consumed: number;
    try {
      consumed = this.#parser.execute(chunk);
    } catch (err) {
      this.#end();
      outcome.failed(err as Error);
      return;
    }
    if (this.#adopting) {
      this.#adoptNow(outcome);
      return;
    }
    if (!this.#complete) {
      // A head without all of its body: the body streams, on a ClientConn.
      if (this.#head !== null) this.#adoptNow(outcome);
      return;
    }
    const head = this.#head!;
    const body = this.#body;
    this.#end();
    this.#parser.resume();
    outcome.plain(head, body, consumed < chunk.length);
  }

  /**
   * lost: the socket ended (`err` null) or failed during an exchange. A
   * clean end before any byte is ErrPersistEOF, as a ClientConn reads it;
   * in the middle of a response, the parser's error for the truncation.
   */
  lost(err: Error | null): void {
    const outcome = this.#outcome;
    if (outcome === null) return;
    let error = err ?? ErrPersistEOF;
    if (err === null && this.#held.length > 0) {
      try {
        this.#parser.finish();
      } catch (parseErr) {
        error = parseErr as Error;
      }
    }
    this.#end();
    outcome.failed(error);
  }

  /** abandon forgets the exchange under way (its connection is being closed). */
  abandon(): void {
    this.#end();
  }

  /** Parser callback: a head; only a plain final one is read here. */
  onHeadersComplete(head: MessageHead): void {
    const status = head.status ?? 0;
    const method = this.#method;
    if (
      status < 200 ||
      status === 204 ||
      status === 304 ||
      head.upgrade ||
      head.chunked ||
      head.contentLength < 0 ||
      head.contentLength > this.#maxBody ||
      method === 'HEAD' ||
      method === 'CONNECT'
    ) {
      this.#adopting = true;
      this.#parser.pause();
      return;
    }
    this.#head = head;
  }

  /** Parser callback: body bytes (views of the socket's chunks, which are not reused). */
  onBody(chunk: Uint8Array): void {
    this.#body = chunk;
  }

  /** Parser callback: the response is whole; stop at its end. */
  onMessageComplete(): void {
    this.#complete = true;
    this.#parser.pause();
  }

  #adoptNow(outcome: RawOutcome): void {
    const held = this.#held;
    this.#held = []; // handed on; #end empties the new one
    this.#end();
    outcome.adopt(held.length === 1 ? held[0]! : Buffer.concat(held));
  }

  #end(): void {
    this.#outcome = null;
    this.#held.length = 0;
    this.#head = null;
    this.#body = EMPTY;
    this.#adopting = false;
    this.#complete = false;
  }
}
