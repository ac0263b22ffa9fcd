import { ErrHandled } from '../errors.js';
import { Request } from '../message/request.js';
import type { Response } from '../message/response.js';
import { copyHeader } from '../proxy/copy-response.js';
import { removeHopByHopHeaders } from '../proxy/hop-headers.js';
import type { ProxyHook } from '../proxy/reverse-proxy.js';
import type { RoundTripper } from '../transport/round-tripper.js';
import { Transport } from '../transport/transport.js';

/** ForwardAuthOptions: see forwardAuth. */
export interface ForwardAuthOptions {
  /** Header names copied from a 2xx auth answer onto the proxied request (replacing any there); default none. */
  copyHeaders?: readonly string[];
  /** Sends the auth subrequests; default: a Transport of the hook's own, closed by `close()`. */
  transport?: RoundTripper;
}

/** ForwardAuthHook: a ReverseProxy `proxy` hook, with `close()` for the Transport it made. */
export type ForwardAuthHook = ProxyHook & { close(): void };

/** Request fields that frame the inbound body, which the subrequest does not carry. */
const BODY_FIELDS = ['Content-Length', 'Transfer-Encoding', 'Trailer', 'Expect'];

/**
 * forwardAuth returns a ReverseProxy `proxy` hook for an authenticating
 * gateway (nginx's auth_request, Traefik's ForwardAuth). For each request
 * it sends the inbound method and headers, without the body, to `url`,
 * adding `X-Forwarded-Method`, `X-Forwarded-Proto`, `X-Forwarded-Host` and
 * `X-Forwarded-Uri` (the inbound request-target). On a 2xx answer it copies
 * `copyHeaders` from it onto the proxied request (removing the client's
 * own fields of those names first) and lets it through;
 * otherwise it writes the auth service's answer (status, headers, body) to
 * the client and returns ErrHandled: the backend sees nothing. An auth
 * service that cannot be reached fails the request (502), never opens it.
 */
export function forwardAuth(url: string | URL, options: ForwardAuthOptions = {}): ForwardAuthHook {
  const target = url instanceof URL ? url.href : url;
  new Request('GET', target); // throws ERR_INVALID_URL now rather than per request
  const own = options.transport === undefined ? new Transport() : null;
  const transport: RoundTripper = options.transport ?? own!;
  const copyHeaders = options.copyHeaders ?? [];
  const hook = async (
    rw: Parameters<ProxyHook>[0],
    out: Request,
    req: Request,
    roundTrip: (out: Request) => Promise<Response>,
  ): Promise<Response | typeof ErrHandled> => {
    const check = new Request(req.method, target, { header: req.header.clone() });
    const h = check.header;
    removeHopByHopHeaders(h);
    for (const name of BODY_FIELDS) h.delete(name);
    h.set('X-Forwarded-Method', req.method);
    h.set('X-Forwarded-Proto', req.tls ? 'https' : 'http');
    h.set('X-Forwarded-Host', req.host);
    h.set('X-Forwarded-Uri', req.requestURI());
    const answer = await transport.roundTrip(check, { signal: req.signal ?? undefined });
    if (answer.status >= 200 && answer.status < 300) {
      for (const name of copyHeaders) {
        out.header.delete(name); // never the client's own: it could claim anything
        for (const value of answer.header.values(name)) out.header.add(name, value);
      }
      await answer.body?.dump();
      return roundTrip(out);
    }
    removeHopByHopHeaders(answer.header);
    copyHeader(rw.header(), answer.header);
    rw.writeHeader(answer.status);
    if (answer.body !== null) for await (const chunk of answer.body) await rw.write(chunk);
    return ErrHandled;
  };
  return Object.assign(hook, { close: () => own?.close() });
}
