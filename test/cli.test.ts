import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const children: ChildProcess[] = [];

async function startCli(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['dist/cli.js', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8');
  for await (const chunk of child.stdout!) {
    out += chunk;
    const match = /listening on (http:\/\/\S+)/.exec(out);
    if (match) return { child, url: match[1]! };
  }
  throw new Error(`cli exited before listening: ${out}`);
}

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
});

describe('httpwire command line', () => {
  it('serves the parser demo to curl and prints what to curl', async () => {
    const { url } = await startCli(['--listen', '127.0.0.1:0']);
    const { stdout } = await run('curl', ['-s', '-i', `${url}hello?x=1`, '-H', 'X-Demo: yes']);
    expect(stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(stdout).toContain('GET /hello?x=1 HTTP/1.1');
    expect(stdout).toContain('X-Demo: yes');
  });

  it('answers two requests on one curl connection', async () => {
    const { url } = await startCli(['--listen', '127.0.0.1:0']);
    const { stdout, stderr } = await run('curl', ['-s', '-v', `${url}a`, `${url}b`]);
    expect(stdout).toContain('GET /a HTTP/1.1');
    expect(stdout).toContain('GET /b HTTP/1.1');
    expect(stderr).toMatch(/Re-using existing connection/);
  });

  it('answers a malformed request with 400 naming the llhttp code, then closes', async () => {
    const { url } = await startCli(['--listen', '127.0.0.1:0']);
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.end('GET / HTTP/1.1\r\nHost : x\r\n\r\n');
    let reply = '';
    socket.setEncoding('utf8');
    for await (const chunk of socket) reply += chunk;
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(reply).toContain('HPE_INVALID_HEADER_TOKEN');
  });

  it('rejects an unknown flag with usage and exit code 2', async () => {
    const err = await run(process.execPath, ['dist/cli.js', '--nope']).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 2 });
    expect(String((err as { stderr: string }).stderr)).toContain('usage: httpwire');
  });
});
