import type { ConnectionOptions } from 'node:tls';
import { newClientConn } from '../conn/client-conn.js';
import { type AbortWatch, watchSignal } from '../message/abort-watch.js';
import type { HeaderInit } from '../message/header.js';
import { Request } from '../message/request.js';
import { dial, originOf } from '../transport/dial.js';
import type { StateReporter } from './state-channel.js';
import type { Target } from './target.js';
import { clockNow } from './clock.js';

/** HealthOptions: active health checks (`options.health`). */
export interface HealthOptions {
  /** Path (and query) to GET on each target, e.g. `/health`; the target's own path is not prefixed. */
  path: string;
  /** Milliseconds from the end of one check to the start of the next; default 10000. */
  interval?: number;
  /** Milliseconds for a whole check: dial, request, response head; default 2000. */
  timeout?: number;
  /**
   * Healthy statuses: one, a list, or `[min, max]` (an array of two in
   * ascending order is always a range); default `[200, 399]` (redirects are
   * healthy and never followed).
   */
  expect?: number | readonly number[];
  /** Passed checks in a row that make an unhealthy target healthy again; default 2. */
  rise?: number;
  /** Failed checks in a row that make a healthy target unhealthy; default 3. */
  fall?: number;
  /** Extra request headers, e.g. a `Host` the backend routes on. */
  header?: HeaderInit;
}

/**
 * HealthCheck probes one target on a fresh connection of our own
 * (ClientConn) every `interval` ms, one check at a time: the next is
 * scheduled when the previous one ended, so checks never pile up on a
 * slow target. Only the response head is read; the body, however large,
 * is never read (the connection is closed), redirects are judged by
 * status, and a target that hangs fails at `timeout`.
 */
export class HealthCheck {
  readonly #target: Target;
  readonly #options: HealthOptions;
  readonly #report: StateReporter;
  readonly #slowStart: number;
  readonly #tls: ConnectionOptions | undefined;
  readonly #stop = new AbortController();
  #timer: NodeJS.Timeout | null = null;
  #passed = 0; // in a row
  #failed = 0; // in a row

  constructor(
    target: Target,
    options: HealthOptions,
    report: StateReporter,
    slowStart: number,
    tls: ConnectionOptions | undefined,
  ) {
    this.#target = target;
    this.#options = options;
    this.#report = report;
    this.#slowStart = slowStart;
    this.#tls = tls;
    this.#schedule(0);
  }

  /** stop ends the checks; one in flight is aborted. */
  stop(): void {
    this.#stop.abort();
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(ms: number): void {
    if (this.#stop.signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#run();
    }, ms).unref();
  }

  async #run(): Promise<void> {
    const failure = await probe(this.#target, this.#options, this.#tls, this.#stop.signal);
    if (this.#stop.signal.aborted) return;
    const t = this.#target;
    if (failure === null) {
      this.#failed = 0;
      this.#passed++;
      if (!t.healthy && this.#passed >= (this.#options.rise ?? 2)) {
        t.healthy = true;
        t.easeIn(clockNow(), this.#slowStart);
        if (!t.draining) this.#report(t.key, true, `${this.#passed} passed health checks`);
      }
    } else {
      this.#passed = 0;
      this.#failed++;
      if (t.healthy && this.#failed >= (this.#options.fall ?? 3)) {
        t.healthy = false;
        if (!t.draining)
          this.#report(t.key, false, `${this.#failed} failed health checks: ${failure}`);
      }
    }
    this.#schedule(this.#options.interval ?? 10_000);
  }
}

/** probe runs one check and resolves with null when healthy, else a short reason; it never rejects. */
async function probe(
  target: Target,
  options: HealthOptions,
  tls: ConnectionOptions | undefined,
  stop: AbortSignal,
): Promise<string | null> {
  const timeout = options.timeout ?? 2_000;
  const timeoutSignal = AbortSignal.timeout(timeout);
  const signal = AbortSignal.any([stop, timeoutSignal]);
  const abort: AbortWatch = watchSignal(signal);
  const url = target.url;
  let socket;
  try {
    socket = await dial(originOf(url), { timeout, abort, tls });
  } catch (err) {
    return timeoutSignal.aborted ? `timeout after ${timeout} ms` : describe(err);
  }
  const conn = newClientConn(socket);
  const live = socket;
  const onAbort = () => live.destroy(); // a hanging target: the read fails
  signal.addEventListener('abort', onAbort, { once: true });
  const req = new Request('GET', `${url.scheme}://${url.host}${options.path}`, {
    header: options.header,
    close: true,
  });
  req.header.set('User-Agent', 'httpwire-health-check');
  try {
    const write = conn.write(req);
    write.catch(() => undefined); // the read reports a dead connection
    const res = await conn.read(req);
    return expected(res.status, options.expect) ? null : `status ${res.status}`;
  } catch (err) {
    return timeoutSignal.aborted ? `timeout after ${timeout} ms` : describe(err);
  } finally {
    signal.removeEventListener('abort', onAbort);
    socket.on('error', () => undefined);
    socket.destroy(); // the body is never read
  }
}

/** expected reports whether `status` is one `expect` accepts (default 200–399). */
function expected(status: number, expect: HealthOptions['expect']): boolean {
  if (expect === undefined) return status >= 200 && status <= 399;
  if (typeof expect === 'number') return status === expect;
  if (expect.length === 2 && expect[0]! <= expect[1]!) {
    return status >= expect[0]! && status <= expect[1]!;
  }
  return expect.includes(status);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
