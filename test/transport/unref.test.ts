/**
 * Idle pooled connections do not keep a process alive (as undici's): a
 * script whose only handles are idle connections of a Transport exits,
 * even against a server that keeps idle connections for a minute. Runs
 * the built package (dist/) in a child process.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const DIST = new URL('../../dist/index.js', import.meta.url).href;
const run = promisify(execFile);

describe('Transport idle connections', () => {
  it('are unref()ed: a script using a Transport exits without closing it', async () => {
    const server = createServer({ keepAliveTimeout: 60_000 }, (_req, res) => res.end('hello'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const script = `
      import { Request, Transport } from ${JSON.stringify(DIST)};
      const t = new Transport();
      for (let i = 0; i < 2; i++) {
        const res = await t.roundTrip(new Request('GET', 'http://127.0.0.1:${port}/'));
        console.log(res.status, await res.body.text());
      }`;
    try {
      const started = Date.now();
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        timeout: 5000,
      });
      expect(stdout).toBe('200 hello\n200 hello\n');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
