/**
 * `httpwire proxy --log-format` and the 499/502 split, with the CLI as a
 * child process behind curl and raw sockets.
 */
import { describe, expect, it } from 'vitest';
import { curl, runCli, setupCli, startProxyCli } from './harness.js';
import { deferred, startNodeBackend, within } from '../e2e/e2e-harness.js';
import { connectTo } from '../helpers/raw-peer.js';

setupCli();

/** COMBINED: nginx's combined format, then upstream address, upstream seconds and request seconds. */
const COMBINED =
  /^(\S+) - - \[(\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000)\] "([^"]*)" (\d{3}) (\d+) "([^"]*)" "([^"]*)" (\S+) (\S+) (\d+\.\d{3})$/;

async function helloBackend() {
  return startNodeBackend((_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end('hello\n');
  });
}

describe('httpwire proxy --log-format', () => {
  it('json writes one object per request with the client, upstream and timings', async () => {
    const backend = await helloBackend();
    const cli = await startProxyCli([backend.origin], '--log-format', 'json');
    await cli.nextLine(); // try: curl ...
    await curl('-A', 'tester/1', '-e', 'http://ref.example/', `${cli.url}a?b=1`);
    const entry = JSON.parse(await cli.nextLine()) as Record<string, unknown>;
    expect(entry).toMatchObject({
      client: '127.0.0.1',
      method: 'GET',
      uri: '/a?b=1',
      proto: 'HTTP/1.1',
      status: 200,
      bytes: 6,
      upstream: `127.0.0.1:${backend.port}`,
      upstreamStatus: 200,
      referer: 'http://ref.example/',
      userAgent: 'tester/1',
    });
    expect(Date.now() - Date.parse(entry.time as string)).toBeLessThan(10_000);
    expect(entry.upstreamMs as number).toBeLessThanOrEqual(entry.ms as number);
  });

  it('combined writes the nginx combined line with the upstream address and times', async () => {
    const backend = await helloBackend();
    const cli = await startProxyCli([backend.origin], '--log-format', 'combined');
    await cli.nextLine();
    await curl('-A', 'say "hi"', `${cli.url}x`);
    const m = COMBINED.exec(await cli.nextLine());
    expect(m).not.toBeNull();
    const [, client, , request, status, bytes, referer, agent, upstream, upstreamTime] = m!;
    expect({ client, request, status, bytes, referer, agent, upstream }).toEqual({
      client: '127.0.0.1',
      request: 'GET /x HTTP/1.1',
      status: '200',
      bytes: '6',
      referer: '-',
      agent: 'say \\x22hi\\x22',
      upstream: `127.0.0.1:${backend.port}`,
    });
    expect(Number(upstreamTime)).toBeGreaterThanOrEqual(0);
  });

  it('rejects an unknown format with exit code 2', async () => {
    const { code, stderr } = await runCli(['proxy', '--log-format', 'apache']);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(
      'httpwire: --log-format must be one of text, combined, json, got "apache"',
    );
  });
});

describe('httpwire proxy access log: 499 and 502', () => {
  it('logs 499 for a client that left before the answer, and 502 for a backend that failed', async () => {
    const arrived = deferred();
    const release = deferred();
    const slow = await startNodeBackend((_req, res) => {
      arrived.resolve();
      void release.promise.then(() => res.end('late'));
    });
    const cli = await startProxyCli([slow.origin], '--log-format', 'json');
    await cli.nextLine();
    const socket = await connectTo(Number(new URL(cli.url).port));
    socket.write('GET /gone HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(arrived.promise, 5000, 'the request at the backend');
    socket.destroy(); // the client leaves while the backend thinks
    const left = JSON.parse(await cli.nextLine()) as Record<string, unknown>;
    expect(left).toMatchObject({ uri: '/gone', status: 499, bytes: 0 });
    release.resolve();

    const refused = await startNodeBackend();
    await new Promise((resolve) => refused.server.close(resolve));
    const dead = await startProxyCli([refused.origin], '--log-format', 'json');
    await dead.nextLine();
    const { stdout } = await curl('-o', '/dev/null', '-w', '%{http_code}', `${dead.url}down`);
    expect(stdout).toBe('502');
    const failed = JSON.parse(await dead.nextLine()) as Record<string, unknown>;
    expect(failed).toMatchObject({
      uri: '/down',
      status: 502,
      upstream: `127.0.0.1:${refused.port}`,
      upstreamStatus: null,
    });
  });
});
