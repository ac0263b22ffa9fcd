import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  comparableResult,
  expectedResult,
  llhttpOracle,
  messageBytes,
  mutateBytes,
  type Mutation,
  mutationArbitrary,
  requestArbitrary,
  responseArbitrary,
  smugglingMutations,
  splitsArbitrary,
  type Trick,
} from '../../src/fuzz/index.js';
import { parseMessages } from '../../src/parser/index.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('httpwire/fuzz', () => {
  it('serializes generated requests and responses that both parsers read as modelled', () => {
    fc.assert(
      fc.property(fc.oneof(requestArbitrary(), responseArbitrary()), (sample) => {
        const bytes = messageBytes(sample);
        const options = { requestMethod: sample.requestMethod };
        expect(comparableResult(parseMessages(sample.kind, bytes, options))).toEqual(
          expectedResult(sample),
        );
        expect(comparableResult(llhttpOracle(sample.kind, bytes, options))).toEqual(
          expectedResult(sample),
        );
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('generates splits that join back to the input', () => {
    const bytes = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    fc.assert(
      fc.property(splitsArbitrary(bytes), (chunks) => {
        expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it('names the trick of every smuggling mutation', () => {
    const tricks = Object.keys(smugglingMutations) as Trick[];
    expect(tricks).toEqual(
      expect.arrayContaining([
        'content-length-variant',
        'duplicate-content-length',
        'transfer-encoding-variant',
        'content-length-with-transfer-encoding',
        'chunk-size',
        'line-terminator',
        'whitespace',
        'obs-fold',
        'bare-cr-lf',
      ]),
    );
    const input = Buffer.from('POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi');
    for (const trick of tricks) {
      const [m] = fc.sample(mutationArbitrary([trick]), { numRuns: 1, seed: 3 });
      expect(m!.trick).toBe(trick);
      expect(mutateBytes(input, [m!])).toBeInstanceOf(Uint8Array);
    }
  });

  it('replaces a CRLF for the line-terminator trick', () => {
    const mutation: Mutation = {
      trick: 'line-terminator',
      op: 'replace-crlf',
      crlf: 1,
      text: '\n',
    };
    const out = mutateBytes(Buffer.from('a\r\nb\r\n'), [mutation]);
    expect(Buffer.from(out).toString('latin1')).toBe('a\r\nb\n');
  });

  it('is the only part of src that imports fast-check', async () => {
    const files = await readdir(join(ROOT, 'src'), { recursive: true });
    const importers: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.ts'))) {
      const text = await readFile(join(ROOT, 'src', file), 'utf8');
      if (text.includes("from 'fast-check'") || text.includes("import('fast-check')")) {
        importers.push(file);
      }
    }
    expect(importers.every((f) => f.startsWith('fuzz/'))).toBe(true);
    expect(importers).toContain(join('fuzz', 'fast-check.ts'));
  });

  it('says what to install when fast-check is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'httpwire-nofc-'));
    try {
      await cp(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
      await writeFile(join(dir, 'package.json'), '{"type":"module"}');
      const script =
        "import('./dist/fuzz/index.js').catch((e) => { console.error(e.message); process.exit(3); })";
      const failed = await run(process.execPath, ['-e', script], { cwd: dir }).catch(
        (err: { code: number; stderr: string }) => err,
      );
      expect(failed).toMatchObject({ code: 3 });
      expect((failed as { stderr: string }).stderr).toContain('npm install --save-dev fast-check');
      const oracle =
        "import('./dist/fuzz/llhttp-oracle.js').then((m) => console.log(typeof m.llhttpOracle))";
      expect((await run(process.execPath, ['-e', oracle], { cwd: dir })).stdout).toBe('function\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
