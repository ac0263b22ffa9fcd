/**
 * HAProxy as a reference balancer (report only): one thread (`nbthread 1`),
 * round-robin over the same backends, keep-alive both ways, run from a
 * generated config on the tested core. Hosts without it skip the row.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnPinned, TESTED_CPU } from '../conn/child.js';
import type { ChildProcess } from 'node:child_process';

/** HAProxy: a running HAProxy, its port and how to stop it. */
export interface HAProxy {
  process: ChildProcess;
  port: number;
  version: string;
  /** stop ends HAProxy and deletes its config. */
  stop(): Promise<void>;
}

/** haproxyVersion is `HAProxy <version>` from `haproxy -v`, or null when HAProxy is not installed. */
export function haproxyVersion(): string | null {
  const run = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
  if (run.error !== undefined || run.status !== 0) return null;
  const match = /HAProxy version (\S+)/.exec(run.stdout);
  return match === null ? 'HAProxy' : `HAProxy ${match[1]}`;
}

/** startHAProxy runs HAProxy in the foreground (`-db`) in front of `ports`. */
export async function startHAProxy(version: string, ports: readonly number[]): Promise<HAProxy> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'httpwire-haproxy-'));
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(config, configText(port, ports));
  const child = spawnPinned(TESTED_CPU, ['haproxy', '-db', '-f', config]);
  child.stdout!.resume();
  await listening(port, child);
  return {
    process: child,
    port,
    version,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function configText(port: number, ports: readonly number[]): string {
  return [
    'global',
    '  nbthread 1',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  option http-keep-alive',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    'frontend bench',
    `  bind 127.0.0.1:${port}`,
    '  default_backend targets',
    'backend targets',
    '  balance roundrobin',
    '  http-reuse always',
    ...ports.map((p, i) => `  server t${i} 127.0.0.1:${p}`),
    '',
  ].join('\n');
}

/** freePort asks the kernel for an ephemeral port and frees it for HAProxy to bind. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** listening resolves once 127.0.0.1:`port` accepts a connection, trying for up to 5 s while `child` runs. */
async function listening(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`HAProxy exited (${child.exitCode})`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net
        .connect(port, '127.0.0.1', () => resolve(true))
        .on('error', () => resolve(false));
      s.once('connect', () => s.destroy());
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`HAProxy did not listen on ${port} within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
