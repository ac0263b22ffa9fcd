/**
 * How one request of the load ends, and the checks every client applies to
 * a response: its status, its id (it must answer this request) and its body,
 * byte for byte (pattern.ts). A request the client gives up on purpose is
 * `aborted`, whatever the wire did next; anything else that is not a
 * verified 200 is an error of some kind.
 */
import { BodyCheck } from './pattern.js';
import type { Plan } from './routes.js';

/** Outcome: one request's end; `ms` runs from the first byte sent to the last byte checked. */
export type Outcome =
  { kind: 'ok'; ms: number } | { kind: 'aborted' } | { kind: 'error'; error: string };

/** WRONG: error kinds where the proxy delivered a wrong answer instead of failing. */
export const WRONG: ReadonlySet<string> = new Set(['wrong body', 'wrong request', 'truncated']);

/** REQUEST_TIMEOUT_MS: a request not done by then is a `timeout` error. */
export const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Control: one request's AbortSignal. `giveUp()` is the client abandoning
 * the request on purpose; the signal also fires, as a timeout, after
 * REQUEST_TIMEOUT_MS.
 */
export class Control {
  readonly #controller = new AbortController();
  readonly #timer = setTimeout(
    () => this.#controller.abort(new TimeoutError()),
    REQUEST_TIMEOUT_MS,
  );
  #gaveUp = false;

  /** signal aborts when the client gives up or the request times out. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** gaveUp says whether `giveUp()` was called. */
  get gaveUp(): boolean {
    return this.#gaveUp;
  }

  /** giveUp abandons the request on purpose. */
  giveUp(): void {
    this.#gaveUp = true;
    this.#controller.abort(new Error('soak: request abandoned on purpose'));
  }

  /** done stops the timeout. */
  done(): void {
    clearTimeout(this.#timer);
  }
}

/** TimeoutError: the reason of a request that took longer than REQUEST_TIMEOUT_MS. */
class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor() {
    super(`soak: no answer within ${REQUEST_TIMEOUT_MS} ms`);
  }
}

/**
 * Exchange makes one request of `plan` and checks its response. It returns
 * null when the response was right, else an error kind; it may throw for
 * failures on the wire, which `attempt` names with `errorKind`.
 */
export type Exchange = (plan: Plan, control: Control) => Promise<string | null>;

/** attempt runs one exchange and says how it ended. */
export async function attempt(plan: Plan, exchange: Exchange): Promise<Outcome> {
  const control = new Control();
  const started = performance.now();
  let error: string | null;
  try {
    error = await exchange(plan, control);
  } catch (err) {
    error = errorKind(control.signal.aborted ? control.signal.reason : err);
  } finally {
    control.done();
  }
  if (control.gaveUp) return { kind: 'aborted' };
  return error === null
    ? { kind: 'ok', ms: performance.now() - started }
    : { kind: 'error', error };
}

/** errorKind names a failure: `timeout`, else its code (ECONNRESET, UND_ERR_SOCKET, ...), else its name. */
export function errorKind(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return 'timeout';
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : err.name;
}

/** headError checks a response head: a 200 answering `plan`'s id, else an error kind. */
export function headError(plan: Plan, status: number, id: unknown): string | null {
  if (status !== 200) return `status ${status}`;
  return id === String(plan.id) ? null : 'wrong request';
}

/** downloadAbortDue says whether `plan` gives up its download now that `check` has this much. */
export function downloadAbortDue(plan: Plan, check: BodyCheck): boolean {
  return plan.abort?.during === 'download' && check.received >= plan.abort.afterBytes;
}

/** bodyError turns a body's verdict into an error kind, or null when it is right. */
export function bodyError(check: BodyCheck): string | null {
  const verdict = check.verdict();
  return verdict === 'ok' ? null : verdict;
}
