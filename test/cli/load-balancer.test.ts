/**
 * `httpwire proxy` with several `--target`s as a child process: round-robin
 * over real backends, the admin pages, `--change-origin`, and the README's
 * command line.
 */
import { describe, expect, it } from 'vitest';
import { curl, setupCli, startProxyCli } from './harness.js';
import { startNodeBackend } from '../e2e/e2e-harness.js';

setupCli();

/** namedBackend answers with its name and the Host it received; /health answers 200. */
async function namedBackend(name: string) {
  return startNodeBackend((req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end(req.url === '/health' ? 'ok' : `${name} ${req.headers.host}`);
  });
}

async function get(url: string): Promise<string> {
  return (await curl(url)).stdout;
}

describe('httpwire proxy with several --target', () => {
  it('balances round-robin over two targets, weights honoured', async () => {
    const a = await namedBackend('a');
    const b = await namedBackend('b');
    const cli = await startProxyCli([a.origin, `${b.origin},weight=2`]);
    expect(cli.lines[0]).toBe(`httpwire proxy listening on ${cli.url} -> ${a.origin}, ${b.origin}`);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push((await get(cli.url)).split(' ')[0]!);
    expect(seen.filter((n) => n === 'a')).toHaveLength(2);
    expect(seen.filter((n) => n === 'b')).toHaveLength(4);
    expect(seen.join('')).not.toContain('bbb'); // smooth: 2:1 never sends three in a row to b
  });

  it('sends the client Host by default and the target host with --change-origin', async () => {
    const a = await namedBackend('a');
    const b = await namedBackend('b');
    const plain = await startProxyCli([a.origin, b.origin]);
    expect(await get(plain.url)).toBe(`a ${new URL(plain.url).host}`);
    const changed = await startProxyCli([a.origin, b.origin], '--change-origin');
    expect(await get(changed.url)).toBe(`a 127.0.0.1:${a.port}`);
    expect(await get(changed.url)).toBe(`b 127.0.0.1:${b.port}`);
    const single = await startProxyCli([a.origin], '--change-origin');
    expect(await get(single.url)).toBe(`a 127.0.0.1:${a.port}`);
  });

  it('runs the README command: least-outstanding, health checks, /status and /metrics', async () => {
    const a = await namedBackend('a');
    const b = await namedBackend('b');
    const cli = await startProxyCli(
      [a.origin, b.origin],
      '--lb',
      'least-outstanding',
      '--health-path',
      '/health',
      '--admin',
      '127.0.0.1:0',
    );
    await cli.nextLine(); // try: curl ...
    const admin = /^admin: (http:\/\/\S+)\/status and \1\/metrics$/.exec(await cli.nextLine());
    expect(admin).not.toBeNull();
    for (let i = 0; i < 4; i++) expect(await get(cli.url)).toMatch(/^[ab] /);
    const status = JSON.parse(await get(`${admin![1]}/status`)) as Record<string, unknown>[];
    expect(status.map((s) => s.url)).toEqual([`${a.origin}/`, `${b.origin}/`]);
    for (const s of status) {
      expect(s).toMatchObject({ weight: 1, healthy: true, ejectedUntil: null, outstanding: 0 });
    }
    expect(status.reduce((n, s) => n + (s.requests as number), 0)).toBe(4);
    const metrics = await get(`${admin![1]}/metrics`);
    const series = (name: string, origin: string) =>
      Number(new RegExp(`^${name}\\{upstream="${origin}"\\} (\\S+)$`, 'm').exec(metrics)?.[1]);
    const total =
      series('httpwire_upstream_requests_total', a.origin) +
      series('httpwire_upstream_requests_total', b.origin);
    expect(total).toBe(4);
    expect(series('httpwire_upstream_errors_total', a.origin)).toBe(0);
    expect(series('httpwire_upstream_healthy', a.origin)).toBe(1);
    expect(series('httpwire_upstream_healthy', b.origin)).toBe(1);
    expect(metrics).toContain('# TYPE httpwire_upstream_latency_seconds histogram');
    const count = series('httpwire_upstream_latency_seconds_count', a.origin);
    expect(metrics).toContain(
      `httpwire_upstream_latency_seconds_bucket{upstream="${a.origin}",le="+Inf"} ${count}`,
    );
  });

  it('reports a dead target unhealthy on /metrics and keeps answering from the other', async () => {
    const a = await namedBackend('a');
    const dead = await namedBackend('dead');
    await new Promise((resolve) => dead.server.close(resolve));
    const cli = await startProxyCli(
      [a.origin, dead.origin],
      '--health-path',
      '/health',
      '--health-interval',
      '50',
      '--admin',
      '127.0.0.1:0',
    );
    await cli.nextLine();
    const adminURL = /^admin: (\S+)\/status/.exec(await cli.nextLine())![1]!;
    const deadline = Date.now() + 5000;
    let metrics = '';
    while (Date.now() < deadline) {
      metrics = await get(`${adminURL}/metrics`);
      if (metrics.includes(`httpwire_upstream_healthy{upstream="${dead.origin}"} 0`)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(metrics).toContain(`httpwire_upstream_healthy{upstream="${dead.origin}"} 0`);
    for (let i = 0; i < 3; i++) expect(await get(cli.url)).toMatch(/^a /);
  });
});
