/** `httpwire proxy --workers N` on node:cluster, as a child process under load. */
import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';
import { setupCli, startProxyCli } from './harness.js';
import { onCleanup, startNodeBackend, within } from '../e2e/e2e-harness.js';
import { settles } from '../helpers/waiting.js';

setupCli();

/** load sends GETs from `clients` concurrent loops until `stop()`, counting answers and failures. */
function load(url: string, clients: number) {
  const pool = new Pool(url, { connections: clients });
  onCleanup(() => pool.destroy());
  const failures: string[] = [];
  let ok = 0;
  let running = true;
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      try {
        const res = await pool.request({ method: 'GET', path: '/' });
        const body = await res.body.text();
        if (res.statusCode === 200) ok++;
        else failures.push(`${res.statusCode} ${body}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  });
  return {
    ok: () => ok,
    failures,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('httpwire proxy --workers', () => {
  it('serves from two workers and restarts them on SIGHUP without a failed request', async () => {
    const backend = await startNodeBackend((_req, res) => res.end('ok'));
    const cli = await startProxyCli([backend.origin], '--workers', '2', '--log-format', 'json');
    expect(cli.lines[0]).toMatch(/ \(2 workers\)$/);
    const traffic = load(cli.url.slice(0, -1), 4);
    expect(await settles(() => traffic.ok() >= 50, 10_000)).toBe(true);
    cli.child.kill('SIGHUP');
    expect(await settles(() => cli.stderr().includes('workers restarted'), 10_000)).toBe(true);
    const before = traffic.ok();
    expect(await settles(() => traffic.ok() >= before + 50, 10_000)).toBe(true);
    await traffic.stop();
    expect(traffic.failures).toEqual([]);
    expect(cli.stderr()).toBe('httpwire: restarting 2 workers\nhttpwire: workers restarted\n');
    cli.child.kill('SIGTERM');
    const code = await within(cli.exited, 10_000, 'the CLI to exit').catch(
      (err: Error) => `${err.message}; stderr: ${cli.stderr()}`,
    );
    expect(code).toBe(0);
    // Every answered request was logged once, by the worker that served it.
    const logged = cli.lines.filter((line) => line.startsWith('{'));
    expect(logged.length).toBe(traffic.ok());
  });
});
