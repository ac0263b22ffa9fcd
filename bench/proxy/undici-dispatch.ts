/**
 * The fastest way to build a reverse proxy on undici 7: a node:http server
 * calling `Pool.dispatch()` with the handler callbacks, no streams on the
 * response side — `onResponseStart` writes the head, `onResponseData`
 * writes each chunk and pauses the dispatch until the client socket drains,
 * `onResponseEnd` ends the response. Hop-by-hop fields are dropped both ways.
 */
import http from 'node:http';
import { Pool, type Dispatcher } from 'undici7';
import { listen, POOL_SIZE, withoutHopByHop } from './node-proxy-kit.js';

/** startUndiciDispatchProxy listens on an ephemeral port and forwards to `origin` through one Pool. */
export function startUndiciDispatchProxy(origin: string): Promise<number> {
  const pool = new Pool(origin, { connections: POOL_SIZE });
  return listen(
    http.createServer((req, res) => {
      const hasBody =
        req.headers['content-length'] !== undefined || 'transfer-encoding' in req.headers;
      pool.dispatch(
        {
          method: req.method as Dispatcher.HttpMethod,
          path: req.url!,
          headers: withoutHopByHop(req.headers) as Record<string, string | string[]>,
          body: hasBody ? req : null,
        },
        new Relay(res),
      );
    }),
  );
}

/** Relay: one response's dispatch handler, writing straight into `res`. */
class Relay implements Dispatcher.DispatchHandler {
  readonly #res: http.ServerResponse;

  constructor(res: http.ServerResponse) {
    this.#res = res;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#res.once('close', () => {
      if (!this.#res.writableFinished) controller.abort(new Error('client gone'));
    });
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: http.IncomingHttpHeaders,
  ): void {
    this.#res.writeHead(statusCode, withoutHopByHop(headers));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#res.write(chunk)) return;
    controller.pause();
    this.#res.once('drain', () => controller.resume());
  }

  onResponseEnd(): void {
    this.#res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, _error: Error): void {
    if (!this.#res.headersSent) this.#res.writeHead(502).end();
    else this.#res.destroy();
  }
}
