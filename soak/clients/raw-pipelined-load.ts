/**
 * Raw sockets that pipeline: a batch of 4 to 8 GET requests goes out in one
 * write, and the responses, parsed with http-parser-js (not with httpwire's
 * own parser), must come back in order, each answering its request. A
 * connection carries 1 to 5 batches; the last request of the last batch
 * says `Connection: close`, and the proxy must then close the connection.
 */
import { once } from 'node:events';
import net from 'node:net';
import { HTTPParser, type OnHeadersCompleteParser } from 'http-parser-js';
import { BodyCheck } from '../pattern.js';
import { bodyError, errorKind, headError, type Outcome, REQUEST_TIMEOUT_MS } from '../outcome.js';
import { ID_HEADER, type Plan, targetOf } from '../routes.js';

/** CLOSE_WAIT_MS: how long the proxy may take to close a connection after `Connection: close`. */
const CLOSE_WAIT_MS = 10_000;

/** KEPT_OPEN: the error kind of a connection the proxy left open after `Connection: close`. */
const KEPT_OPEN = 'kept open after Connection: close';

/** The `onHeadersComplete` argument of http-parser-js in its default calling mode. */
interface HeadInfo {
  statusCode: number;
  headers: string[];
}

interface Pending {
  plan: Plan;
  check: BodyCheck;
  started: number;
  error: string | null;
  resolve: (outcome: Outcome) => void;
}

/** PipelinedConn: one raw connection to the proxy and the requests in flight on it. */
class PipelinedConn {
  readonly #socket: net.Socket;
  readonly #parser = new HTTPParser(HTTPParser.RESPONSE);
  readonly #host: string;
  /** Requests in the order sent; the first is the one being answered. */
  #pending: Pending[] = [];
  /** Set once the connection failed: the first failure's kind. */
  #failure: string | null = null;
  readonly #closed: Promise<unknown>;

  constructor(socket: net.Socket, port: number) {
    this.#socket = socket;
    this.#host = `127.0.0.1:${port}`;
    this.#closed = new Promise((resolve) => socket.once('close', resolve));
    this.#parser[HTTPParser.kOnHeadersComplete] = ((info: HeadInfo) => {
      const p = this.#pending[0];
      if (p === undefined) this.#fail('response nobody asked for');
      else p.error = headError(p.plan, info.statusCode, headerValue(info.headers, ID_HEADER));
      return 0;
    }) as OnHeadersCompleteParser;
    this.#parser[HTTPParser.kOnBody] = (chunk: Buffer, offset: number, length: number) => {
      const p = this.#pending[0];
      if (p === undefined) return; // after a failure
      if (p.error === null && !p.check.add(chunk.subarray(offset, offset + length))) {
        p.error = 'wrong body';
      }
    };
    this.#parser[HTTPParser.kOnMessageComplete] = () => {
      const p = this.#pending.shift();
      if (p === undefined) return; // after a failure
      const error = p.error ?? bodyError(p.check);
      p.resolve(
        error === null
          ? { kind: 'ok', ms: performance.now() - p.started }
          : { kind: 'error', error },
      );
    };
    socket.on('data', (chunk: Buffer) => {
      const result = this.#parser.execute(chunk);
      if (result instanceof Error) this.#fail(`unparsable response (${result.message})`);
    });
    socket.on('error', (err) => this.#fail(errorKind(err)));
    socket.on('close', () =>
      this.#fail(
        this.#pending.length > 0
          ? 'connection closed with requests in flight'
          : 'connection closed between requests',
      ),
    );
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => this.#fail('timeout'));
  }

  /**
   * batch sends `plans` in one write, the last with `Connection: close` when
   * `closing`, and resolves with their outcomes in order.
   */
  batch(plans: readonly Plan[], closing: boolean): Promise<Outcome[]> {
    const started = performance.now();
    const outcomes = plans.map(
      (plan) =>
        new Promise<Outcome>((resolve) => {
          const check = new BodyCheck(plan.id, plan.length);
          this.#pending.push({ plan, check, started, error: null, resolve });
        }),
    );
    const last = plans.length - 1;
    if (this.#failure !== null) this.#fail(this.#failure);
    else this.#socket.write(plans.map((p, i) => this.#head(p, closing && i === last)).join(''));
    return Promise.all(outcomes);
  }

  /** failed says whether the connection broke; it then takes no more batches. */
  get failed(): boolean {
    return this.#failure !== null;
  }

  /** closedByPeer resolves with whether the proxy closed the connection within CLOSE_WAIT_MS. */
  async closedByPeer(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS, 'late')));
    const closed = (await Promise.race([this.#closed, late])) !== 'late';
    clearTimeout(timer);
    this.#socket.destroy();
    return closed;
  }

  /** close ends the connection from this side. */
  close(): void {
    this.#socket.destroy();
  }

  #head(plan: Plan, close: boolean): string {
    const connection = close ? 'Connection: close\r\n' : '';
    return `GET ${targetOf(plan)} HTTP/1.1\r\nHost: ${this.#host}\r\n${ID_HEADER}: ${plan.id}\r\n${connection}\r\n`;
  }

  /** #fail fails every request in flight with `kind` and closes the connection. */
  #fail(kind: string): void {
    this.#failure ??= kind;
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) p.resolve({ kind: 'error', error: this.#failure });
    this.#socket.destroy();
  }
}

/** headerValue finds `name` (lower case) in http-parser-js's flat `[name, value, ...]` list. */
function headerValue(headers: readonly string[], name: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.toLowerCase() === name) return headers[i + 1];
  }
  return undefined;
}

/**
 * pipelinedLoop keeps one raw connection after another busy with batches
 * from `next` until `running()` turns false, and hands every outcome to
 * `record`.
 */
export async function pipelinedLoop(
  port: number,
  next: () => Plan,
  record: (outcome: Outcome) => void,
  running: () => boolean,
): Promise<void> {
  for (let connections = 0; running(); connections++) {
    const socket = net.connect(port, '127.0.0.1');
    try {
      await once(socket, 'connect');
    } catch (err) {
      record({ kind: 'error', error: errorKind(err) });
      continue;
    }
    const conn = new PipelinedConn(socket, port);
    const batches = 1 + (connections % 5);
    for (let b = 0; b < batches && running(); b++) {
      const closing = b === batches - 1;
      const plans = [next()];
      while (plans.length < 4 + (plans[0]!.id % 5)) plans.push(next());
      for (const outcome of await conn.batch(plans, closing)) record(outcome);
      if (conn.failed) break;
      if (closing && !(await conn.closedByPeer())) record({ kind: 'error', error: KEPT_OPEN });
    }
    conn.close();
  }
}
