/**
 * Plain directors: the directors httpwire makes that only set the
 * outgoing URL (or nothing) and never throw. A ReverseProxy with one may
 * serve requests on the server's fast path, which runs the director as
 * serveHTTP does (and serveHTTP runs it again for a request handed over:
 * a plain director does the same each time).
 */
import type { Request } from '../message/request.js';

const plain = new WeakSet<(out: Request) => void>();

/** markPlainDirector records `director` as plain and returns it. */
export function markPlainDirector<D extends (out: Request) => void>(director: D): D {
  plain.add(director);
  return director;
}

/** isPlainDirector reports whether `director` was made plain by httpwire. */
export function isPlainDirector(director: ((out: Request) => void) | null | undefined): boolean {
  return director != null && plain.has(director);
}
