/**
 * The backend's routes and the request plans that use them: what the load
 * generator asks for and what the backend reads back out of the target. Every
 * route answers request `id` with `bodyOf(id, len)` (pattern.ts) and echoes
 * the id in ID_HEADER, so each response proves which request it belongs to.
 */

/** Route: one of the backend's paths. */
export type Route = 'small' | 'large' | 'chunked' | 'echo' | 'slow' | 'close';

/**
 * The backend's routes:
 * - `small`: a short body with Content-Length;
 * - `large`: LARGE_BYTES with Content-Length, written with back-pressure;
 * - `chunked`: no length, written in pieces of varying size (chunked);
 * - `echo` (POST): the request body, streamed back as it arrives, with the
 *   request's Content-Length if it had one, else chunked;
 * - `slow`: a short body after `ms` milliseconds;
 * - `close`: a short body with `Connection: close`, then the backend closes.
 */
export const ROUTES: readonly Route[] = ['small', 'large', 'chunked', 'echo', 'slow', 'close'];

/** ID_HEADER carries the request id out and back. */
export const ID_HEADER = 'x-soak-id';

/** LARGE_BYTES: the size of a `large` body and of the largest uploads. */
export const LARGE_BYTES = 2 ** 20;

/** Abort: the client gives up on purpose after `afterBytes` of the download or of the upload. */
export interface Abort {
  during: 'download' | 'upload';
  afterBytes: number;
}

/** Plan: one request the load generator makes and what it expects back. */
export interface Plan {
  id: number;
  route: Route;
  /** Body bytes expected in the response; for `echo`, also the upload's size. */
  length: number;
  /** `slow` only: the backend's delay. */
  delayMs: number;
  /** `echo` only: the upload goes out chunked instead of with Content-Length. */
  uploadChunked: boolean;
  abort: Abort | null;
}

/** methodOf is the request method of a plan: POST for `echo`, else GET. */
export function methodOf(plan: Plan): 'GET' | 'POST' {
  return plan.route === 'echo' ? 'POST' : 'GET';
}

/** targetOf is the origin-form request target of a plan. */
export function targetOf(plan: Plan): string {
  const delay = plan.route === 'slow' ? `&ms=${plan.delayMs}` : '';
  return `/${plan.route}?id=${plan.id}&len=${plan.length}${delay}`;
}

/** Target: what the backend reads out of a request target. */
export interface Target {
  route: Route;
  id: number;
  length: number;
  delayMs: number;
}

/** readTarget parses a request target made by `targetOf`, or returns null. */
export function readTarget(target: string): Target | null {
  const url = new URL(target, 'http://backend');
  const route = url.pathname.slice(1) as Route;
  const id = Number(url.searchParams.get('id'));
  const length = Number(url.searchParams.get('len'));
  const delayMs = Number(url.searchParams.get('ms') ?? 0);
  const valid =
    ROUTES.includes(route) &&
    Number.isSafeInteger(id) &&
    Number.isSafeInteger(length) &&
    length >= 0 &&
    delayMs >= 0;
  return valid ? { route, id, length, delayMs } : null;
}
