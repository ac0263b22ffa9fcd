import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MitmOptions } from '../forward/interception.js';
import { ReverseProxy, type ReverseProxyOptions } from '../proxy/reverse-proxy.js';
import type { HandlerFunc, ResponseWriter } from '../server/handler.js';
import type { IncomingRequest } from '../message/request.js';
import { Transport } from '../transport/transport.js';
import { withAccessLog } from './access-log.js';
import { CA_CERT_FILE, CA_KEY_FILE } from './ca-command.js';
import { UsageError } from './flags.js';

/** LoggedReverseProxy logs an access-log line per request it serves. */
class LoggedReverseProxy extends ReverseProxy {
  readonly #logged: HandlerFunc;

  constructor(options: ReverseProxyOptions, log: (line: string) => void) {
    super(options);
    this.#logged = withAccessLog((rw, req) => super.serveHTTP(rw, req), { format: 'text', log });
  }

  override serveHTTP(rw: ResponseWriter, req: IncomingRequest): Promise<void> {
    return this.#logged(rw, req) as Promise<void>;
  }
}

/**
 * loadInterception reads the CA that `httpwire ca create DIR` wrote and
 * returns the `mitm` option of `httpwire forward --mitm-ca DIR`: origins
 * verified with Node's trust store, reached through `upstream` when given,
 * a line in `log` per intercepted request. Missing files are a UsageError naming them.
 */
export async function loadInterception(
  dir: string,
  log: (line: string) => void,
  upstream: string | null = null,
): Promise<MitmOptions & { close(): void }> {
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([
      readFile(join(dir, CA_CERT_FILE), 'utf8'),
      readFile(join(dir, CA_KEY_FILE), 'utf8'),
    ]);
  } catch (err) {
    throw new UsageError(
      `--mitm-ca ${dir}: ${(err as Error).message} (make one with: httpwire ca create ${dir})`,
    );
  }
  // Loaded here, not at start-up: @peculiar/x509 is for --mitm-ca and `ca create` only.
  const { CertificateAuthority } = await import('../forward/mitm/index.js');
  const ca = await CertificateAuthority.fromPEM({ cert, key });
  // With --upstream, intercepted requests reach their origins through it too (CONNECT, then TLS).
  const transport = new Transport({
    maxIdleConnsPerHost: 128,
    ...(upstream === null ? {} : { proxy: upstream }),
  });
  const proxy = new LoggedReverseProxy({ rewrite: () => undefined, transport }, log);
  return { ca, proxy, close: () => transport.close() };
}
