import type { Request } from '../message/request.js';
import type { ProxyHook } from '../proxy/reverse-proxy.js';

/** UpstreamExchange: one backend exchange made for a client request. */
export interface UpstreamExchange {
  /** The backend's `host:port` as the request went out, or `-` when the round trip failed before one was known. */
  address: string;
  /** The backend's origin (`http://host:port`), the label of its metrics; `-` as `address`. */
  origin: string;
  /** Milliseconds from sending the request to the backend's response head (or the failure). */
  ms: number;
  /** The backend's status, or null when no response came. */
  status: number | null;
}

/**
 * UpstreamExchanges is the CLI's ReverseProxy `proxy` hook: it times each
 * backend round trip, tells `onExchange` (the metrics) and keeps the
 * exchange for the access log, which takes it with `take(req)`.
 */
export class UpstreamExchanges {
  readonly #byRequest = new WeakMap<Request, UpstreamExchange>();
  readonly #onExchange: (exchange: UpstreamExchange) => void;
  #inFlight = 0;

  constructor(onExchange: (exchange: UpstreamExchange) => void = () => undefined) {
    this.#onExchange = onExchange;
  }

  readonly hook: ProxyHook = async (_rw, out, req, roundTrip) => {
    const started = performance.now();
    this.#inFlight++;
    let exchange: UpstreamExchange;
    try {
      const res = await roundTrip(out);
      // A balancing transport points the request it sends (res.request) at the target it chose.
      exchange = exchangeWith(res.request?.url ?? out.url, res.status);
      return res;
    } catch (err) {
      // The target the director chose; a balancing transport chooses later, and its failure names none.
      exchange = exchangeWith(out.url, null);
      throw err;
    } finally {
      this.#inFlight--;
      exchange!.ms = performance.now() - started;
      this.#byRequest.set(req, exchange!);
      this.#onExchange(exchange!);
    }
  };

  /** inFlight counts the backend round trips started and not yet settled. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** take returns the exchange made for `req` and forgets it, or null when none was made. */
  take(req: Request): UpstreamExchange | null {
    const exchange = this.#byRequest.get(req) ?? null;
    this.#byRequest.delete(req);
    return exchange;
  }
}

function exchangeWith(
  url: { scheme: string; host: string },
  status: number | null,
): UpstreamExchange {
  const { scheme, host } = url;
  return { address: host || '-', origin: host === '' ? '-' : `${scheme}://${host}`, ms: 0, status };
}
