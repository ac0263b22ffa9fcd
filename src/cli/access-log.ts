import type { Detached } from '../io/socket-reader.js';
import type { Header } from '../message/header.js';
import type { HandlerFunc, ResponseWriter } from '../server/handler.js';

/**
 * withAccessLog wraps `handler` so that each request, once answered, logs
 * one line: method, target, status, body bytes written and milliseconds.
 * With `logHijacked` false, a request whose handler hijacked the
 * connection (a tunnel, logged by its owner when it ends) gets no line.
 */
export function withAccessLog(
  handler: HandlerFunc,
  log: (line: string) => void,
  logHijacked = true,
): HandlerFunc {
  return async (rw, req) => {
    const started = performance.now();
    const counted = new CountingWriter(rw);
    try {
      await handler(counted, req);
    } finally {
      if (logHijacked || !counted.hijacked) {
        const ms = (performance.now() - started).toFixed(1);
        const status = counted.status === 0 ? '-' : String(counted.status);
        // An absolute-form target (a forward proxy's request) is logged whole.
        const url = req.url.scheme === '' ? '' : `${req.url.scheme}://${req.url.host}`;
        log(`${req.method} ${url}${req.requestURI()} ${status} ${counted.bytes} ${ms}ms`);
      }
    }
  };
}

/** CountingWriter passes everything through and remembers the final status and body size. */
class CountingWriter implements ResponseWriter {
  readonly #rw: ResponseWriter;
  status = 0;
  bytes = 0;
  hijacked = false;

  constructor(rw: ResponseWriter) {
    this.#rw = rw;
  }

  get headerWritten(): boolean {
    return this.#rw.headerWritten;
  }

  header(): Header {
    return this.#rw.header();
  }

  writeHeader(status: number): void {
    if (status >= 200 || status === 101) this.status ||= status;
    this.#rw.writeHeader(status);
  }

  write(chunk: string | Uint8Array): Promise<void> {
    this.status ||= 200;
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return this.#rw.write(chunk);
  }

  flush(): Promise<void> {
    return this.#rw.flush();
  }

  hijack(): Detached {
    const detached = this.#rw.hijack();
    this.hijacked = true;
    return detached;
  }
}
