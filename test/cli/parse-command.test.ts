/**
 * `httpwire parse` and `httpwire diff` as users run them: child processes of
 * dist/cli/main.js (npm test builds dist/ first).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdirSync, readFileSync, rm, writeFile } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CorpusCase, readCorpus } from '../parser/corpus-format.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const CORPUS = fileURLToPath(new URL('../parser/corpus/', import.meta.url));
const exec = promisify(execFile);
const write = promisify(writeFile);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** cli runs `httpwire args...` with `stdin` piped in and resolves with its exit code and output. */
function cli(args: string[], stdin = ''): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('latin1').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(Buffer.from(stdin, 'latin1'));
  });
}

let dir = '';
beforeAll(async () => {
  dir = await promisify(mkdtemp)(join(tmpdir(), 'httpwire-cli-'));
});
afterAll(async () => {
  await promisify(rm)(dir, { recursive: true, force: true });
});

function corpusCases(): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const kind of ['request', 'response'] as const) {
    for (const name of readdirSync(CORPUS + kind).sort()) {
      const text = readFileSync(join(CORPUS, kind, name), 'utf8');
      cases.push(...readCorpus(text, `${kind}/${name}`, kind));
    }
  }
  return cases;
}

/** The command-line flags that give a case's parser options. */
function flagsOf(c: CorpusCase): string[] {
  const flags = c.kind === 'response' ? ['--response'] : ['--request'];
  for (const name of c.meta.lenient ?? []) flags.push('--lenient', name);
  const methods = c.meta.requestMethod;
  for (const m of typeof methods === 'string' ? [methods] : (methods ?? [])) {
    flags.push('--method', m);
  }
  if (c.meta.maxHeaderBytes !== undefined) {
    flags.push('--max-header-bytes', String(c.meta.maxHeaderBytes));
  }
  return flags;
}

/** The verdict a corpus log gives: `ok`, or `CODE at OFFSET`. */
function expectedVerdict(c: CorpusCase): string {
  const error = c.expected.find((line) => line.startsWith('error '));
  return error === undefined ? 'ok' : /^error (\S+ at \d+)/.exec(error)![1]!;
}

/** The verdict of each file in `httpwire parse` output with several files. */
function verdicts(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const section of stdout.split('==> ').slice(1)) {
    const file = section.slice(0, section.indexOf(' <=='));
    const error = /^error (\S+) at offset (\d+)/m.exec(section);
    out.set(file, error === null ? 'ok' : `${error[1]} at ${error[2]}`);
  }
  return out;
}

describe('httpwire parse', () => {
  it('gives the conformance corpus verdicts: accept or reject, error code and offset', async () => {
    const groups = new Map<string, { flags: string[]; cases: [string, CorpusCase][] }>();
    const cases = corpusCases();
    expect(cases.length).toBeGreaterThan(300);
    for (const [i, c] of cases.entries()) {
      const file = join(dir, `case-${i}.bin`);
      await write(file, c.input);
      const flags = flagsOf(c);
      const key = flags.join(' ');
      const group = groups.get(key) ?? { flags, cases: [] };
      group.cases.push([file, c]);
      groups.set(key, group);
    }
    for (const { flags, cases: group } of groups.values()) {
      // A lone file has no ==> header: add a second, empty one's worth of context.
      const files = group.map(([file]) => file);
      const ran = await cli([
        'parse',
        ...flags,
        ...files,
        ...(files.length === 1 ? [files[0]!] : []),
      ]);
      const got = verdicts(ran.stdout);
      const failed = group.some(([, c]) => expectedVerdict(c) !== 'ok');
      expect(ran.code, `${flags.join(' ')}: ${ran.stderr}`).toBe(failed ? 1 : 0);
      for (const [file, c] of group) {
        expect(got.get(file), `${c.file}:${c.line} ${c.name}`).toBe(expectedVerdict(c));
      }
    }
  }, 120_000);

  it('prints messages with headers in order, a body preview, trailers and keep-alive', async () => {
    const input =
      'POST /up HTTP/1.1\r\nHost: a\r\nX-b: 1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 9\r\n\r\n';
    const ran = await cli(['parse'], input);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toBe(
      [
        'message 1: POST /up HTTP/1.1',
        '  Host: a',
        '  X-b: 1',
        '  Transfer-Encoding: chunked',
        '  body: 3 bytes "abc"',
        '  trailers:',
        '    X-Sum: 9',
        '  keep-alive: yes',
        '  upgrade: no',
        `ok: 1 messages, ${input.length} bytes`,
        '',
      ].join('\n'),
    );
  });

  it('prints the error with code, reason and a caret under the byte, exit 1', async () => {
    const ran = await cli(['parse', '-'], 'GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n');
    expect(ran.code).toBe(1);
    expect(ran.stdout).toBe(
      [
        'error HPE_INVALID_CONTENT_LENGTH at offset 33: Invalid character in Content-Length',
        '  Content-Length: 1x\\r\\n',
        '                   ^',
        '',
      ].join('\n'),
    );
  });

  it('reads responses to HEAD with --method and reports an upgrade', async () => {
    const head = await cli(
      ['parse', '--response', '--method', 'HEAD'],
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n',
    );
    expect(head.code).toBe(0);
    expect(head.stdout).toContain('body: 0 bytes');
    const up = await cli(
      ['parse', '--response'],
      'HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: ws\r\n\r\nxyz',
    );
    expect(up.stdout).toContain('upgrade: yes\ntunnel: 3 bytes after the upgrade\n');
  });

  it('exits 2 on usage errors', async () => {
    for (const args of [
      ['--lenient', 'NOPE'],
      ['--bogus'],
      ['--request', '--response'],
      [join(dir, 'missing')],
    ]) {
      const ran = await cli(['parse', ...args]);
      expect(ran.code, args.join(' ')).toBe(2);
      expect(ran.stderr).toContain('usage: httpwire parse');
    }
  });
});

describe('httpwire diff', () => {
  it('agrees on valid and invalid files, skipping those of unknown kind', async () => {
    const d = join(dir, 'agree');
    await promisify(mkdir)(d);
    await write(join(d, 'a-ok.req'), 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await write(join(d, 'b-ok.res'), 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx');
    await write(join(d, 'c-bad.req'), 'GET / HTTP/1.1\r\nHost a\r\n\r\n');
    await write(join(d, 'notes.txt'), 'x');
    const agree = await exec(process.execPath, [CLI, 'diff', d]);
    expect(agree.stdout).toBe(
      'skip notes.txt: not .req or .res (give --request or --response)\n3 files compared, 0 disagreements\n',
    );
    const all = await cli(['diff', '--request', d]);
    expect(all.stdout).toContain('4 files compared, 0 disagreements');
  });

  it('prints the files where httpwire and llhttp disagree, exit 1', async () => {
    // headers.md documents this difference: we count every head byte against maxHeaderBytes.
    const differs = corpusCases().find(
      (c) => c.meta.differs !== undefined && c.meta.maxHeaderBytes !== undefined,
    )!;
    const d = join(dir, 'differ');
    await promisify(mkdir)(d);
    await write(join(d, 'a-ok.req'), 'GET / HTTP/1.1\r\n\r\n');
    await write(join(d, 'b-differs.req'), differs.input);
    const ran = await cli(['diff', '--max-header-bytes', String(differs.meta.maxHeaderBytes), d]);
    expect(ran.code, `${differs.file}:${differs.line}`).toBe(1);
    expect(ran.stdout).toMatch(
      /^b-differs\.req: .+\n {2}httpwire: .+\n {2}llhttp: {3}.+\n2 files compared, 1 disagreements\n$/,
    );
  });

  it('exits 2 without a directory', async () => {
    expect((await cli(['diff'])).code).toBe(2);
    expect((await cli(['diff', join(dir, 'nowhere')])).code).toBe(2);
  });
});
