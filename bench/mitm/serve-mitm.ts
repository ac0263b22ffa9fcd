/**
 * One intercepting proxy for the mitm bench, in its own process: `httpwire`
 * (ForwardProxy with `mitm`) or `http-mitm-proxy` (keepAlive: true, its best
 * setting). Both skip verifying the bench origin's certificate. Prints one
 * JSON line `{ port, caPEM }` once listening, and `{ cpuMicros }` (user +
 * system so far) for each `cpu` line on stdin; SIGTERM ends it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Proxy as MitmProxy } from 'http-mitm-proxy';
import { createServer, ForwardProxy } from '../../src/index.js';
import { CertificateAuthority } from '../../src/forward/mitm/index.js';

const kind = process.argv[2];
// http-mitm-proxy logs to stdout (console.debug "starting server for ..."), which carries our JSON lines.
console.log = () => undefined;
console.debug = () => undefined;

async function startHttpwire(): Promise<{ port: number; caPEM: string; close(): void }> {
  const ca = await CertificateAuthority.create({ commonName: 'bench CA' });
  const forward = new ForwardProxy({
    mitm: { ca, rejectUnauthorized: false },
    errorLog: () => undefined,
  });
  const server = createServer(forward);
  const { port } = await server.listen(0, '127.0.0.1');
  return { port, caPEM: ca.certPEM, close: () => void server.close() };
}

async function startHttpMitmProxy(): Promise<{ port: number; caPEM: string; close(): void }> {
  const sslCaDir = mkdtempSync(join(tmpdir(), 'http-mitm-proxy-'));
  const proxy = new MitmProxy();
  proxy.onError(() => undefined);
  await new Promise<void>((resolve, reject) =>
    proxy.listen(
      {
        port: 0,
        host: '127.0.0.1',
        sslCaDir,
        keepAlive: true,
        httpsAgent: new Agent({ keepAlive: true, rejectUnauthorized: false }),
      },
      (err?: Error | null) => (err ? reject(err) : resolve()),
    ),
  );
  const address = proxy.httpServer!.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const caPEM = readFileSync(join(sslCaDir, 'certs', 'ca.pem'), 'utf8');
  return {
    port,
    caPEM,
    close: () => {
      proxy.close();
      rmSync(sslCaDir, { recursive: true, force: true });
    },
  };
}

const started = kind === 'httpwire' ? await startHttpwire() : await startHttpMitmProxy();
process.stdout.write(`${JSON.stringify({ port: started.port, caPEM: started.caPEM })}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuMicros: user + system })}\n`);
});
process.once('SIGTERM', () => {
  started.close();
  process.exit(0);
});
