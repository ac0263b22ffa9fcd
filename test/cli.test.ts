/**
 * The command line as users run it: `node dist/cli.js proxy ...` in a child
 * process (the default `npm test` builds dist/ first), driven by curl and
 * undici over 127.0.0.1.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = promisify(execFile);

/** Cli: a running `httpwire` child process. */
interface Cli {
  child: ChildProcess;
  /** The URL from the 'listening on' line, with a trailing slash. */
  url: string;
  /** Every stdout line so far (the listening banner included). */
  lines: string[];
  /** nextLine resolves with the next stdout line after those already taken, waiting up to 5 s. */
  nextLine(): Promise<string>;
  /** exited resolves with the exit code (or the signal name) once the process is gone and its output read. */
  exited: Promise<number | string>;
  stderr(): string;
}

const children: ChildProcess[] = [];
const closers: (() => unknown)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
});

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does)`);
});

/** startCli spawns the CLI and resolves once it printed its 'listening on' line. */
async function startCli(args: string[], env: Record<string, string> = {}): Promise<Cli> {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  const exited = new Promise<number | string>((resolve) => {
    child.once('close', (code, signal) => resolve(code ?? signal ?? -1));
  });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (err += chunk));
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  let taken = 0;
  const nextLine = async (): Promise<string> => {
    const deadline = Date.now() + 5000;
    while (taken >= lines.length) {
      const woken = new Promise<void>((resolve) => waiters.push(resolve));
      const gone = exited.then(() => 'exited' as const);
      const timeout = new Promise<'timeout'>((resolve) => {
        const timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
        void woken.then(() => clearTimeout(timer));
        void gone.then(() => clearTimeout(timer));
      });
      const why = await Promise.race([woken, gone, timeout]);
      if (why !== undefined && taken >= lines.length) {
        throw new Error(`no stdout line (${why}); stdout: ${lines.join('\n')}; stderr: ${err}`);
      }
    }
    return lines[taken++]!;
  };
  const banner = await nextLine();
  const match = /listening on (http:\/\/\S+\/) -> /.exec(banner);
  if (match === null) throw new Error(`unexpected first line: ${banner}`);
  return { child, url: match[1]!, lines, nextLine, exited, stderr: () => err };
}

/** runCli runs the CLI to its end (killed after 5 s) and returns its exit code and output. */
async function runCli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      timeout: 5000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

async function curl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('curl', ['--silent', '--show-error', '--max-time', '10', ...args]);
}

/** startBackend runs a node:http backend on 127.0.0.1, closed after the test. */
async function startBackend(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer(listener);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => sockets.add(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * refusesConnections resolves once nothing accepts connections on `port`
 * (a shutting-down CLI closed its listener); each try waits for the
 * outcome of a real connect, at most 500 of them.
 */
async function refusesConnections(port: number): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const socket = connect(port, '127.0.0.1');
    const outcome = await new Promise<string | undefined>((resolve) => {
      socket.once('connect', () => resolve('accepted'));
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
    });
    socket.destroy();
    if (outcome === 'ECONNREFUSED') return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`port ${port} still accepts connections`);
}

const ACCESS_LOG = /^(\S+) (\S+) (\d{3}|-) (\d+) (\d+\.\d)ms$/;

describe('httpwire command line: arguments', () => {
  it('prints the usage with --help and exits 0', async () => {
    const { code, stdout, stderr } = await runCli(['--help']);
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
    [['serve'], 'httpwire: unknown command serve'],
  ])('rejects %j with exit code 2 and says why', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe(message);
    expect(stderr).toContain('usage: httpwire proxy');
  });

  it('rejects a PORT that is not a port number with exit code 2', async () => {
    const { code, stderr } = await runCli([], { PORT: 'eighty' });
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
    const { url } = await startBackend(() => undefined);
    const taken = url.slice('http://'.length);
    const { code, stderr } = await runCli(['proxy', '--listen', taken, ...extra]);
    expect({ code, stderr }).toEqual({
      code: 1,
      stderr: `httpwire: listen EADDRINUSE: address already in use ${taken}\n`,
    });
  });
});

describe('httpwire proxy --target', () => {
  it('proxies a request to the backend and logs one access-log line', async () => {
    const { url: target } = await startBackend((req, res) => {
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
    const { server, url: target } = await startBackend(() => undefined);
    await new Promise((resolve) => server.close(resolve)); // nothing listens there now
    const cli = await startCli(['proxy', '--listen', '127.0.0.1:0', '--target', target]);
    await cli.nextLine(); // try: curl ...
    const { stdout } = await curl('-o', '/dev/null', '-w', '%{http_code}', cli.url);
    expect(stdout).toBe('502');
    expect(await cli.nextLine()).toMatch(/^GET \/ 502 0 \d+\.\dms$/);
    expect(cli.stderr()).toContain('ReverseProxy proxy error');
  });

  it('flushes every backend write at once with --flush-interval -1', async () => {
    const pieces = ['first,', 'second,', 'third.'];
    const received = pieces.map(() => deferred());
    let written = 0;
    const { url: target } = await startBackend((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(pieces.join('').length) });
      void (async () => {
        for (const [n, piece] of pieces.entries()) {
          if (n > 0) await received[n - 1]!.promise; // the next piece waits for the client
          written++;
          res.write(piece);
        }
        res.end();
      })();
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
    closers.push(() => client.destroy());
    const res = await client.request({ method: 'GET', path: '/stream' });
    let text = '';
    let seen = 0;
    for await (const chunk of res.body) {
      text += String(chunk);
      while (seen < pieces.length && text.length >= pieces.slice(0, seen + 1).join('').length) {
        expect(written).toBe(seen + 1);
        received[seen++]!.resolve();
      }
    }
    expect(text).toBe(pieces.join(''));
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
    const cli = await startCli([], { PORT: '0' });
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
      const { url: target } = await startBackend((_req, res) => {
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
      expect(await cli.exited).toBe(0);
      expect(cli.lines.at(-1)).toMatch(/^GET \/slow 200 10 \d+\.\dms$/);
    },
  );

  it('exits 0 on SIGTERM when idle, closing kept-alive client connections', async () => {
    const cli = await startCli(['proxy', '--listen', '127.0.0.1:0']);
    const client = new Client(cli.url.slice(0, -1));
    closers.push(() => client.destroy());
    const res = await client.request({ method: 'GET', path: '/' });
    await res.body.text(); // the connection is now idle in undici's pool
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});
