import type { Detached } from '../io/socket-reader.js';
import type { Header } from '../message/header.js';
import type { HandlerFunc, ResponseWriter } from '../server/handler.js';

/**
 * withAccessLog wraps `handler` so that each request, once answered, logs
 * one line: method, target, status, body bytes written and milliseconds.
 */
export function withAccessLog(handler: HandlerFunc, log: (line: string) => void): HandlerFunc {
  return async (rw, req) => {
    const started = performance.now();
    const counted = new CountingWriter(rw);
    try {
      await handler(counted, req);
    } finally {
      const ms = (performance.now() - started).toFixed(1);
      const status = counted.status === 0 ? '-' : String(counted.status);
      log(`${req.method} ${req.requestURI()} ${status} ${counted.bytes} ${ms}ms`);
    }
  };
}

/** CountingWriter passes everything through and remembers the final status and body size. */
class CountingWriter implements ResponseWriter {
  readonly #rw: ResponseWriter;
  status = 0;
  bytes = 0;

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
    return this.#rw.hijack();
  }
}
