/**
 * `httpwire forward` as users run it: a child process (dist/, built by
 * `npm test`) driven by curl -x, with --auth and --allow.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { allows, loggedForwardProxy, parseForwardArgs } from '../../src/cli/forward-command.js';
import { ForwardProxy } from '../../src/forward/index.js';
import { fastPathsOf } from '../../src/server/fast-path.js';
import { useForwardCli } from '../helpers/forward-cli.js';
import {
  closedBy,
  connectLine,
  rawRequest,
  startForwardProxy,
  startOrigin,
  useForwardHarness,
} from '../forward/harness.js';

const run = promisify(execFile);
const track = useForwardHarness();
const startForward = useForwardCli();

async function curl(...args: string[]): Promise<string> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '10', ...args]);
  return stdout;
}

describe('httpwire forward', () => {
  it('proxies curl -x with --auth and --allow, logging each request and tunnel', async () => {
    const origin = track(await startOrigin((req, res) => res.end(`origin ${req.url}`)));
    const cli = await startForward(['--auth', 'u:p', '--allow', '127.0.0.1']);
    expect(await curl('-x', cli.url, '--proxy-user', 'u:p', `${origin.url}/a`)).toBe('origin /a');
    expect(await cli.nextLine()).toMatch(new RegExp(`^GET ${origin.url}/a 200 9 [\\d.]+ms$`));
    expect(await curl('-p', '-x', cli.url, '--proxy-user', 'u:p', `${origin.url}/t`)).toBe(
      'origin /t',
    );
    expect(await cli.nextLine()).toMatch(
      new RegExp(
        `^CONNECT 127\\.0\\.0\\.1:${origin.port} tunnel \\d+/\\d+ bytes up/down [\\d.]+ms$`,
      ),
    );
    const noAuth = await curl('-i', '-x', cli.url, `${origin.url}/`);
    expect(noAuth).toMatch(/^HTTP\/1\.1 407 /);
    expect(await cli.nextLine()).toMatch(/ 407 /);
    const refused = await curl(
      '-i',
      '-x',
      cli.url,
      '--proxy-user',
      'u:p',
      `http://localhost:${origin.port}/`,
    );
    expect(refused).toMatch(/^HTTP\/1\.1 403 /);
    expect(await cli.nextLine()).toMatch(/ 403 /);
    // A refused CONNECT, which the fast path hands to the logged general path.
    const refusedTunnel = await curl(
      '-p',
      '-x',
      cli.url,
      '--proxy-user',
      'u:p',
      `http://localhost:${origin.port}/`,
    ).catch((err: { stderr?: string }) => err.stderr ?? '');
    expect(refusedTunnel).toContain('403');
    expect(await cli.nextLine()).toMatch(new RegExp(`^CONNECT localhost:${origin.port} 403 `));
  });

  it('sends tunnels and forwarded requests through --upstream, with its credentials', async () => {
    const origin = track(await startOrigin((req, res) => res.end(`origin ${req.url}`)));
    const seen: string[] = [];
    const upstream = track(
      await startForwardProxy({
        authenticate: (c) => c !== null && c.user === 'up' && c.password === 's3cret',
        allow: (target) => {
          seen.push(`${target.method} ${target.host}:${target.port}`);
          return true;
        },
      }),
    );
    const cli = await startForward(['--upstream', `http://up:s3cret@127.0.0.1:${upstream.port}`]);
    expect(await curl('-x', cli.url, `${origin.url}/a`)).toBe('origin /a');
    expect(await curl('-p', '-x', cli.url, `${origin.url}/t`)).toBe('origin /t');
    expect(seen).toEqual([`GET 127.0.0.1:${origin.port}`, `CONNECT 127.0.0.1:${origin.port}`]);

    // Credentials the upstream refuses: the tunnel gets our 502 naming its 407.
    const refusing = await startForward([
      '--upstream',
      `http://up:wrong@127.0.0.1:${upstream.port}`,
    ]);
    const got = await rawRequest(
      Number(new URL(refusing.url).port),
      connectLine(`127.0.0.1:${origin.port}`),
    );
    expect(got.head).toMatch(/^HTTP\/1\.1 502 /);
    await closedBy(got.socket);
    expect(got.rest.toString()).toContain('proxy refused CONNECT');
    expect(got.rest.toString()).toContain('407');
  });

  it('closes a silent tunnel after --idle-timeout, logging it', async () => {
    const origin = track(await startOrigin((_req, res) => res.end('unused')));
    const cli = await startForward(['--idle-timeout', '200']);
    const got = await rawRequest(
      Number(new URL(cli.url).port),
      connectLine(`127.0.0.1:${origin.port}`),
    );
    expect(got.head).toMatch(/^HTTP\/1\.1 200 /);
    await closedBy(got.socket, 3000);
    expect(await cli.nextLine()).toMatch(
      /^CONNECT 127\.0\.0\.1:\d+ tunnel 0\/0 bytes .* \(idle\)$/,
    );
  });

  it('keeps the ForwardProxy fast path for CONNECT under its access log', () => {
    const handler = loggedForwardProxy(new ForwardProxy(), () => undefined);
    expect(fastPathsOf(handler)?.connect).not.toBeNull();
    expect(
      fastPathsOf(
        loggedForwardProxy(new ForwardProxy({ onTunnel: () => undefined }), () => undefined),
      ),
    ).toBeNull();
  });
});

describe('parseForwardArgs', () => {
  it('reads --allow rules with and without ports, and refuses bad ones', () => {
    const args = parseForwardArgs(
      [
        '--listen',
        ':3128',
        '--allow',
        'Example.com',
        '--allow',
        'api.test:443',
        '--allow',
        '[::1]:8080',
      ],
      {},
    );
    expect(args.port).toBe(3128);
    expect(args.allow).toEqual([
      { host: 'example.com', port: null },
      { host: 'api.test', port: 443 },
      { host: '::1', port: 8080 },
    ]);
    expect(allows(args.allow, { host: 'example.com', port: 25, method: 'CONNECT' })).toBe(true);
    expect(allows(args.allow, { host: 'api.test', port: 80, method: 'GET' })).toBe(false);
    expect(allows([], { host: 'any', port: 1, method: 'GET' })).toBe(true);
    for (const bad of ['host:0', 'host:x', ':80', '[::1', 'a:b:c']) {
      expect(() => parseForwardArgs(['--allow', bad], {})).toThrow(/--allow wants/);
    }
    expect(() => parseForwardArgs(['--auth', 'nocolon'], {})).toThrow(/--auth wants/);
    expect(parseForwardArgs(['--upstream', 'proxy.test:3128'], {}).upstream).toBe(
      'proxy.test:3128',
    );
    expect(parseForwardArgs(['--dial-timeout', '500', '--idle-timeout', '0'], {})).toMatchObject({
      dialTimeout: 500,
      idleTimeout: 0,
    });
    expect(() => parseForwardArgs(['--idle-timeout', '-1'], {})).toThrow(
      /--idle-timeout must be at least 0/,
    );
    expect(() => parseForwardArgs(['--upstream', 'socks5://proxy.test:1080'], {})).toThrow(
      /--upstream "socks5:\/\/proxy.test:1080": unsupported proxy scheme/,
    );
  });
});
