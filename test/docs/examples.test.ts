/**
 * Every runnable example in README.md and docs/**\/*.md, run as its own
 * program against dist/ (build first: `npm test` does). The rules an
 * example must follow, and how its shown output is checked, are at the top
 * of doc-blocks.ts: in short, mark what cannot run alone `js fragment`,
 * show output as `// → line` comments or in a `prints` block, and close
 * everything you open so the program exits by itself.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type DocBlock, docBlocks } from './doc-blocks.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** How long one example may run before it counts as hung. */
const RUN_MS = 10_000;
/** Examples running at once: the machine is shared, and each is a whole Node process. */
const PARALLEL = 4;

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name).split('\\').join('/'))
    .sort();
  return ['README.md', ...docs];
}

const BLOCKS = markdownFiles().flatMap((file) =>
  docBlocks(readFileSync(join(ROOT, file), 'utf8'), file),
);

/** A scratch directory inside the package, so that 'httpwire' resolves to dist/ by self-reference. */
const SCRATCH = mkdtempSync(join(ROOT, '.doc-examples-'));
afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  hung: boolean;
}

let running = 0;
const queue: (() => void)[] = [];

/** slot waits until fewer than PARALLEL examples run, and returns the function that frees the slot. */
async function slot(): Promise<() => void> {
  if (running >= PARALLEL) await new Promise<void>((resolve) => queue.push(resolve));
  running++;
  return () => {
    running--;
    queue.shift()?.();
  };
}

/** runBlock writes `block` to a file and runs it with node (tsx for ts), killing it after RUN_MS. */
async function runBlock(block: DocBlock): Promise<Run> {
  const name = block.where.replace(/[^A-Za-z0-9]+/g, '-');
  const file = join(SCRATCH, `${name}.${block.lang === 'ts' ? 'mts' : 'mjs'}`);
  writeFileSync(file, block.code);
  const args = block.lang === 'ts' ? ['--import', 'tsx', file] : [file];
  const free = await slot();
  try {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, RUN_MS);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (c, s) => resolve([c, s])),
    );
    clearTimeout(timer);
    return { code, signal, stdout, stderr, hung };
  } finally {
    free();
  }
}

/** verdict returns what is wrong with a run of `block`, or null when it passed. */
function verdict(block: DocBlock, run: Run): string | null {
  const stderr = run.stderr === '' ? '' : `\n--- stderr\n${run.stderr}`;
  const stdout = `\n--- stdout\n${run.stdout}`;
  if (run.hung) return `${block.where}: still running after ${RUN_MS} ms${stdout}${stderr}`;
  if (run.code !== 0) {
    const how = run.signal !== null ? `killed by ${run.signal}` : `exited with ${run.code}`;
    return `${block.where}: ${how}${stdout}${stderr}`;
  }
  if (block.expected === null) return null;
  const printed = run.stdout.endsWith('\n') ? run.stdout.slice(0, -1) : run.stdout;
  const expected = block.expected.join('\n');
  if (printed === expected) return null;
  return `${block.where}: printed something else\n--- expected\n${expected}\n--- printed\n${printed}${stderr}`;
}

describe('docs examples', () => {
  it('finds the examples of README.md and docs/', () => {
    expect(BLOCKS.length).toBeGreaterThan(0);
    expect(existsSync(join(ROOT, 'dist/index.js')), 'dist/ is missing: run npm run build').toBe(
      true,
    );
  });

  describe.concurrent('each runnable block', () => {
    for (const block of BLOCKS) {
      it(block.where, { timeout: RUN_MS * 4 }, async () => {
        expect(block.problem, block.where).toBeNull();
        const problem = verdict(block, await runBlock(block));
        if (problem !== null) expect.fail(problem);
      });
    }
  });
});
