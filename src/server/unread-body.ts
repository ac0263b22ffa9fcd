import type { Request } from '../message/request.js';

/** An unread request body longer than this closes the connection instead of being drained (Go's maxPostHandlerReadBytes). */
const MAX_POST_HANDLER_READ = 256 * 1024;

/**
 * requestBodyCloses reports whether the unread rest of `req`'s body must
 * close the connection rather than be drained by the next read: the 100
 * Continue was never sent (`expectContinue` still owed), the handler
 * stopped reading part way, or the rest is of unknown or large length
 * (Go's maxPostHandlerReadBytes).
 */
export function requestBodyCloses(req: Request, expectContinue: boolean): boolean {
  const body = req.body;
  if (body === null || body.ended) return false;
  if (expectContinue || body.consumed) return true;
  return req.contentLength < 0 || req.contentLength > MAX_POST_HANDLER_READ;
}
