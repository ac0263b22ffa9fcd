/** A server handler wrapped to say when it starts, for tests that send part of a request to a running handler. */
import type { Request } from '../../src/message/request.js';
import type { ResponseWriter } from '../../src/server/handler.js';

/** Started: the wrapped handler and a promise resolved when it is first called. */
export interface Started {
  handler: (rw: ResponseWriter, req: Request) => Promise<void>;
  running: Promise<void>;
}

/**
 * started wraps `handler` with a promise that resolves once it runs, so a
 * test can send the rest of a body to a handler that is already reading
 * it (bytes sent with the head may be parsed before the handler starts).
 */
export function started(handler: (rw: ResponseWriter, req: Request) => Promise<void>): Started {
  let resolve!: () => void;
  const running = new Promise<void>((r) => (resolve = r));
  return {
    running,
    handler: async (rw, req) => {
      resolve();
      await handler(rw, req);
    },
  };
}
