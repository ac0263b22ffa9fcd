import type { ConnectionOptions } from 'node:tls';
import type { ConnOptions } from '../conn/conn-options.js';
import type { ProxyOption } from './proxy-route.js';

/** TransportOptions: pool limits and timeouts; every field is optional. */
export interface TransportOptions {
  /** Idle connections kept per origin; default 2, as Go's DefaultMaxIdleConnsPerHost. */
  maxIdleConnsPerHost?: number;
  /** Connections per origin (dialing, busy and idle); 0, the default, is no limit. Requests beyond it wait. */
  maxConnsPerHost?: number;
  /** Milliseconds an idle connection is kept; default 90000, 0 keeps it forever. Timers are unref'd. */
  idleTimeout?: number;
  /** Milliseconds to connect, TLS handshake included; default 30000, 0 waits forever. */
  dialTimeout?: number;
  /** Milliseconds to wait for the response head after the request was written; default 0, no limit. */
  responseHeaderTimeout?: number;
  /** Extra `tls.connect` options for https origins (`ca`, `rejectUnauthorized`, `servername`, ...). */
  tls?: ConnectionOptions;
  /**
   * Most interim (1xx) responses before the final one; default 5, as Go ≤
   * 1.23. One more fails the round trip with `ERR_TOO_MANY_1XX`; their
   * heads also count against `connOptions.maxHeaderBytes` with the final one.
   */
  max1xxResponses?: number;
  /**
   * Limits for each connection's reading (`maxHeaderBytes`, `lenient`,
   * `readAhead`, `bodyHighWaterMark`): its ClientConn's, and the raw
   * exchange's parser limits (raw-exchange.ts), whose plain answers are at
   * most `bodyHighWaterMark`.
   */
  connOptions?: ConnOptions;
  /** A proxy URL for every request, or a function choosing one per request (null: direct); see ProxyOption. */
  proxy?: ProxyOption;
}
