/**
 * The command line as users run it: `node dist/cli/main.js proxy ...` in a child
 * process (the default `npm test` builds dist/ first), driven by curl and
 * undici over 127.0.0.1.
 */
import { once } from 'node:events';
import { Client } from 'undici';
import { WebSocket, WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { curl, refusesConnections, runCli, setupCli, startCli } from './cli/harness.js';
import { deferred, onCleanup, startNodeBackend, within } from './e2e/e2e-harness.js';
import { Lockstep } from './e2e/lockstep.js';

setupCli();

const ACCESS_LOG = /^(\S+) (\S+) (\d{3}|-) (\d+) (\d+\.\d)ms$/;

describe('httpwire command line: arguments', () => {
  it('prints the overview and exits 2 without a command, listening on nothing', async () => {
    const { code, stdout, stderr } = await runCli([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^httpwire: no command given\n\nusage: httpwire <command> \[flags\]\n/);
    expect(stderr).toMatch(/^ {2}proxy +a reverse proxy/m);
  });

  it('rejects an unknown command with exit code 2 and the overview', async () => {
    const { code, stderr } = await runCli(['serve']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^httpwire: unknown command serve\n\nusage: httpwire <command>/);
  });

  it('prints the version of package.json with --version', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^httpwire \d+\.\d+\.\d+\n$/);
  });

  it('prints the usage with proxy --help and exits 0', async () => {
    const { code, stdout, stderr } = await runCli(['proxy', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: httpwire proxy \[--listen HOST:PORT\] \[--target URL\]/);
    expect(stdout).toContain('--flush-interval MS');
    expect(stderr).toBe('');
  });

  it.each([
    [['proxy', '--nope'], 'httpwire: unknown flag --nope'],
    [
      ['proxy', '--listen', '127.0.0.1:99999'],
      'httpwire: --listen has a bad port: "127.0.0.1:99999"',
    ],
    [['proxy', '--listen', 'localhost'], 'httpwire: --listen wants HOST:PORT, got "localhost"'],
    [
      ['proxy', '--target', 'ftp://127.0.0.1/'],
      'httpwire: --target must be http:// or https://, got "ftp://127.0.0.1/"',
    ],
    [['proxy', '--target', 'not a url'], 'httpwire: --target is not a URL: "not a url"'],
    [['proxy', '--target'], 'httpwire: --target needs a value'],
    [
      ['proxy', '--flush-interval', 'soon'],
      'httpwire: --flush-interval wants an integer, got "soon"',
    ],
    [['proxy', 'extra'], 'httpwire: unexpected argument extra'],
  ])('rejects %j with exit code 2 and says why', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe(message);
    expect(stderr).toContain('usage: httpwire proxy');
  });

  it('rejects a PORT that is not a port number with exit code 2', async () => {
    const { code, stderr } = await runCli(['proxy'], { PORT: 'eighty' });
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('httpwire: PORT must be a port number, got "eighty"');
  });

  it('ignores PORT when --listen is given', async () => {
    const cli = await startCli(['proxy', '--listen', '127.0.0.1:0'], { PORT: 'eighty' });
    expect(cli.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it.each([
    ['with --target', ['--target', 'http://127.0.0.1:9/']],
    ['with the demo origin', []],
  ])('exits 1 saying why when the port is taken (%s)', async (_, extra) => {
    const { port } = await startNodeBackend();
    const taken = `127.0.0.1:${port}`;
    const { code, stderr } = await runCli(['proxy', '--listen', taken, ...extra]);
    expect({ code, stderr }).toEqual({
      code: 1,
      stderr: `httpwire: listen EADDRINUSE: address already in use ${taken}\n`,
    });
  });
});

describe('httpwire proxy --target', () => {
  it('proxies a request to the backend and logs one access-log line', async () => {
    const { origin: target } = await startNodeBackend((req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(`backend saw ${req.method} ${req.url} from ${req.headers['x-forwarded-for']}\n`);
    });
    const cli = await startCli(['proxy', '--listen', '127.0.0.1:0', '--target', target]);
    expect(cli.lines[0]).toBe(`httpwire proxy listening on ${cli.url} -> ${target}`);
    expect(await cli.nextLine()).toBe(`try:  curl -i ${cli.url}`);
    const { stdout } = await curl(`${cli.url}path?q=1`);
    expect(stdout).toBe('backend saw GET /path?q=1 from 127.0.0.1\n');
    expect(cli.stderr()).toBe('');
    const [, method, path, status, bytes, ms] = ACCESS_LOG.exec(await cli.nextLine()) ?? [];
    expect({ method, path, status, bytes: Number(bytes) }).toEqual({
      method: 'GET',
      path: '/path?q=1',
      status: '200',
      bytes: Buffer.byteLength(stdout),
    });
    expect(Number(ms)).toBeGreaterThanOrEqual(0);
    expect(cli.lines).toHaveLength(3);
  });

  it('answers 502 when the backend refuses connections, and logs it', async () => {
    const { server, origin: target } = await startNodeBackend(() => undefined);
    await new Promise((resolve) => server.close(resolve)); // nothing listens there now
    const cli = await startCli(['proxy', '--listen', '127.0.0.1:0', '--target', target]);
    await cli.nextLine(); // try: curl ...
    const { stdout } = await curl('-o', '/dev/null', '-w', '%{http_code}', cli.url);
    expect(stdout).toBe('502');
    expect(await cli.nextLine()).toMatch(/^GET \/ 502 0 \d+\.\dms$/);
    expect(cli.stderr()).toContain('ReverseProxy proxy error');
  });

  it('flushes every backend write at once with --flush-interval -1', async () => {
    const step = new Lockstep(['first,', 'second,', 'third.']);
    const { origin: target } = await startNodeBackend((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(step.pieces.join('').length) });
      void step.serve(res);
    });
    const cli = await startCli([
      'proxy',
      '--listen',
      '127.0.0.1:0',
      '--target',
      target,
      '--flush-interval',
      '-1',
    ]);
    const client = new Client(cli.url.slice(0, -1));
    onCleanup(() => client.destroy());
    const res = await within(client.request({ method: 'GET', path: '/stream' }), 5000, 'head');
    const text = await within(step.read(res.body), 5000, 'every piece');
    expect(text).toBe(step.pieces.join(''));
  });
});

describe('httpwire proxy without --target (the built-in demo origin)', () => {
  it('answers / with what the origin received through the proxy', async () => {
    const cli = await startCli(['proxy', '--listen', '127.0.0.1:0']);
    expect(cli.lines[0]).toMatch(/ -> http:\/\/127\.0\.0\.1:\d+ \(built-in demo origin\)$/);
    const { stdout } = await curl('-H', 'X-Demo: yes', cli.url);
    expect(stdout).toContain('hello from the httpwire demo origin');
    expect(stdout).toContain('GET / HTTP/1.1');
    expect(stdout).toContain('X-Demo: yes');
    expect(stdout).toContain('X-Forwarded-For: 127.0.0.1');
  });

  it('streams the three /sse events', async () => {
    const cli = await startCli(['proxy', '--listen', '127.0.0.1:0']);
    const { stdout } = await curl('-N', `${cli.url}sse`);
    expect(stdout).toBe([1, 2, 3].map((i) => `id: ${i}\ndata: event ${i} of 3\n\n`).join(''));
  });

  it('runs from PORT=0 alone (as npm start does) and prints the URLs to curl', async () => {
    const cli = await startCli(['proxy'], { PORT: '0' });
    expect(cli.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await cli.nextLine()).toBe(`try:  curl -i ${cli.url}`);
    expect(await cli.nextLine()).toBe(`      curl -N ${cli.url}sse`);
    const { stdout } = await curl('-i', cli.url);
    expect(stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});

describe('httpwire shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s lets the request in flight finish, then exits 0',
    async (signal) => {
      const arrived = deferred();
      const finish = deferred();
      const { origin: target } = await startNodeBackend((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '10' });
        res.write('slow ');
        arrived.resolve();
        void finish.promise.then(() => res.end('done.'));
      });
      const cli = await startCli(['proxy', '--listen', '127.0.0.1:0', '--target', target]);
      const slow = curl(`${cli.url}slow`).catch((err: Error) => ({ stdout: err.message }));
      await arrived.promise;
      cli.child.kill(signal);
      await refusesConnections(Number(new URL(cli.url).port)); // the signal was handled
      expect(cli.child.exitCode).toBeNull();
      finish.resolve();
      expect((await slow).stdout).toBe('slow done.');
      expect(await within(cli.exited, 5000, 'the CLI to exit')).toBe(0);
      expect(cli.lines.at(-1)).toMatch(/^GET \/slow 200 10 \d+\.\dms$/);
    },
  );

  it('exits 0 on SIGTERM with a WebSocket open through it, closing the WebSocket', async () => {
    const { server, origin: target } = await startNodeBackend(() => undefined);
    const wss = new WebSocketServer({ server });
    onCleanup(() => {
      for (const ws of wss.clients) ws.terminate();
      return new Promise((resolve) => wss.close(resolve));
    });
    const cli = await startCli(['proxy', '--listen', '127.0.0.1:0', '--target', target]);
    const ws = new WebSocket(cli.url.replace('http:', 'ws:'));
    onCleanup(() => ws.terminate());
    await once(ws, 'open');
    const closed = once(ws, 'close');
    cli.child.kill('SIGTERM');
    expect(await within(cli.exited, 5000, 'the CLI to exit')).toBe(0);
    expect((await closed)[0]).toBe(1006); // no close frame: the process went away
  });

  it('exits 0 on SIGTERM when idle, closing kept-alive client connections', async () => {
    const cli = await startCli(['proxy', '--listen', '127.0.0.1:0']);
    const client = new Client(cli.url.slice(0, -1));
    onCleanup(() => client.destroy());
    const res = await client.request({ method: 'GET', path: '/' });
    await res.body.text(); // the connection is now idle in undici's pool
    cli.child.kill('SIGTERM');
    expect(await within(cli.exited, 5000, 'the CLI to exit')).toBe(0);
  });
});
