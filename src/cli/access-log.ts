import { type Request, requestAbort } from '../message/request.js';
import { splitHostPort } from '../proxy/x-forwarded.js';
import { type FastServe, watchFastPath } from '../server/fast-path.js';
import type { HandlerFunc } from '../server/handler.js';
import type { UpstreamExchange } from './upstream-exchanges.js';

/** LogFormat: how `httpwire proxy` writes its access log (`--log-format`). */
export type LogFormat = 'text' | 'combined' | 'json';

/** LOG_FORMATS: every LogFormat, the default first. */
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'combined', 'json'];

/**
 * CLIENT_CLOSED: the status logged for a client that left before its
 * answer was written (nginx's 499), whatever the proxy was about to send.
 */
export const CLIENT_CLOSED = 499;

/** AccessRecord: one answered request, as the access log sees it. */
export interface AccessRecord {
  /** When the request head was read. */
  time: Date;
  /** The client's IP (remote address without its port). */
  client: string;
  method: string;
  uri: string;
  proto: string;
  /** The final status; 499 when the client left first; 0 when none was decided (a hijacked connection). */
  status: number;
  /** Body bytes written to the client. */
  bytes: number;
  /** Milliseconds from the request head to the handler's end. */
  ms: number;
  /** The backend exchange, or null when none was tried. */
  upstream: UpstreamExchange | null;
  referer: string | null;
  userAgent: string | null;
}

/** AccessLogOptions: where and how `withAccessLog` writes. */
export interface AccessLogOptions {
  format: LogFormat;
  /** Takes one line, without its newline. */
  log(line: string): void;
  /** The backend exchange made for `req`, once the handler is done; default none. */
  upstreamOf?: (req: Request) => UpstreamExchange | null;
  /**
   * Log requests whose handler hijacked the connection without a status
   * (a CONNECT tunnel, logged by its owner when it ends); default true.
   */
  logHijacked?: boolean;
}

/**
 * withAccessLog wraps `handler` so that each request, once answered, logs
 * one line in `options.format`. A request whose client went away before
 * the handler returned is logged 499 (kept apart from a 502: the backend
 * failed while the client waited).
 */
export function withAccessLog(handler: HandlerFunc, options: AccessLogOptions): HandlerFunc {
  const { logHijacked = true } = options;
  return async (rw, req) => {
    const time = new Date();
    const started = performance.now();
    try {
      await handler(rw, req);
    } finally {
      if (logHijacked || rw.status !== 0 || !rw.headerWritten) {
        logAccess(options, req, time, started, rw.status, rw.bytesWritten);
      }
    }
  };
}

/**
 * withFastAccessLog wraps a handler's fast path (server/fast-path.ts) so
 * that each request it answers is logged as withAccessLog logs it; one it
 * hands over is logged by the general path, which serves it then.
 */
export function withFastAccessLog(serve: FastServe, options: AccessLogOptions): FastServe {
  return watchFastPath(serve, (req) => {
    const time = new Date();
    const started = performance.now();
    return (answer) => {
      if (answer !== null) logAccess(options, req, time, started, answer.status, answer.bytes);
      // After the client left nothing is handed over: the request ends here, logged 499.
      else if (requestAbort(req)?.aborted === true) logAccess(options, req, time, started, 0, 0);
    };
  });
}

/** logAccess logs one answered request; `status` 0: none was written (its backend's, if any, is logged). */
function logAccess(
  options: AccessLogOptions,
  req: Request,
  time: Date,
  started: number,
  status: number,
  bytes: number,
): void {
  const upstream = options.upstreamOf?.(req) ?? null;
  const left = requestAbort(req)?.aborted === true;
  options.log(
    formatAccess(options.format, {
      time,
      client: splitHostPort(req.remoteAddr)?.host ?? req.remoteAddr,
      method: req.method,
      uri: loggedTarget(req),
      proto: `HTTP/${req.protoMajor}.${req.protoMinor}`,
      status: left ? CLIENT_CLOSED : status !== 0 ? status : (upstream?.status ?? 0),
      bytes,
      ms: performance.now() - started,
      upstream,
      referer: req.header.get('Referer'),
      userAgent: req.header.get('User-Agent'),
    }),
  );
}

/**
 * formatAccess renders `r` as one line:
 * - `text`: `GET /path 200 12 1.3ms` (method, target, status or `-`, bytes, duration);
 * - `combined`: the Apache/nginx combined format, then the upstream address
 *   and its time and the request time in seconds (nginx's `$upstream_addr
 *   $upstream_header_time $request_time`; `-` without a backend exchange);
 * - `json`: one object with every field of AccessRecord, times in ms.
 */
export function formatAccess(format: LogFormat, r: AccessRecord): string {
  const status = r.status === 0 ? '-' : String(r.status);
  switch (format) {
    case 'text':
      return `${r.method} ${r.uri} ${status} ${r.bytes} ${r.ms.toFixed(1)}ms`;
    case 'combined': {
      const up = r.upstream;
      const upstream = up === null ? '- -' : `${up.address} ${seconds(up.ms)}`;
      return (
        `${r.client} - - [${clfTime(r.time)}] ${quote(`${r.method} ${r.uri} ${r.proto}`)} ` +
        `${status} ${r.bytes} ${quote(r.referer ?? '-')} ${quote(r.userAgent ?? '-')} ` +
        `${upstream} ${seconds(r.ms)}`
      );
    }
    case 'json':
      return JSON.stringify({
        time: r.time.toISOString(),
        client: r.client,
        method: r.method,
        uri: r.uri,
        proto: r.proto,
        status: r.status,
        bytes: r.bytes,
        ms: round(r.ms),
        upstream: r.upstream?.address ?? null,
        upstreamMs: r.upstream === null ? null : round(r.upstream.ms),
        upstreamStatus: r.upstream?.status ?? null,
        referer: r.referer,
        userAgent: r.userAgent,
      });
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** clfTime: `10/Oct/2000:13:55:36 +0000`, in UTC. */
function clfTime(t: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(t.getUTCDate())}/${MONTHS[t.getUTCMonth()]}/${t.getUTCFullYear()}:` +
    `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} +0000`
  );
}

/** quote writes a combined-log string field: `"` and `\` escaped, control bytes as \xHH (nginx's escaping). */
function quote(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c < 0x20 || c === 0x7f) {
      out += `\\x${c.toString(16).padStart(2, '0')}`;
    } else {
      out += value[i];
    }
  }
  return `${out}"`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** loggedTarget is the request-target, an absolute-form one (a forward proxy's request) whole. */
function loggedTarget(req: Request): string {
  const url = req.url;
  return url.scheme === '' ? req.requestURI() : `${url.scheme}://${url.host}${req.requestURI()}`;
}
