/**
 * The conformance corpus: every case in test/parser/corpus/{request,response}/*.md
 * is parsed whole, split at every byte position into two chunks, fed one byte
 * at a time, and cut into random pieces; each way must give the `log` block.
 * The random cuts use CORPUS_SEED (printed; default below) for replay.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LENIENT_FLAGS, parseMessages } from '../../src/parser/index.js';
import type { ParserOptions } from '../../src/parser/types.js';
import { seededRandom } from '../helpers/seeded-random.js';
import {
  type CaseMeta,
  type CorpusCase,
  comparable,
  formatResult,
  readCorpus,
} from './corpus-format.js';

const CORPUS = fileURLToPath(new URL('./corpus/', import.meta.url));
const KINDS = ['request', 'response'] as const;
/** Inputs up to this size are also split at every byte position. */
const EXHAUSTIVE_LIMIT = 2048;
const RANDOM_SPLITS = 8;
const SEED = Number(process.env.CORPUS_SEED ?? 0x5eed_c0de) >>> 0;

console.log(`corpus: random splits use CORPUS_SEED=${SEED}`);

function loadCorpus(): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const kind of KINDS) {
    for (const name of readdirSync(CORPUS + kind).sort()) {
      if (!name.endsWith('.md')) continue;
      const file = `test/parser/corpus/${kind}/${name}`;
      cases.push(...readCorpus(readFileSync(CORPUS + kind + '/' + name, 'utf8'), file, kind));
    }
  }
  return cases;
}

function optionsOf(meta: CaseMeta): ParserOptions {
  let lenient = 0;
  for (const flag of meta.lenient ?? []) {
    const bit = LENIENT_FLAGS[flag as keyof typeof LENIENT_FLAGS];
    if (bit === undefined) throw new Error(`unknown lenient flag ${flag}`);
    lenient |= bit;
  }
  const options: ParserOptions = { lenient };
  if (meta.maxHeaderBytes !== undefined) options.maxHeaderBytes = meta.maxHeaderBytes;
  if (meta.requestMethod !== undefined) options.requestMethod = meta.requestMethod;
  return options;
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function cutAt(input: Uint8Array, points: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(input.subarray(start, point));
    start = point;
  }
  chunks.push(input.subarray(start));
  return chunks;
}

/** Every way a case is fed to the parser: a label for failures and the chunks. */
function* feedings(c: CorpusCase): Generator<[string, Uint8Array[]]> {
  const input = c.input;
  yield ['whole', [input]];
  if (input.length <= EXHAUSTIVE_LIMIT) {
    for (let i = 1; i < input.length; i++) yield [`split at ${i}`, cutAt(input, [i])];
    yield [
      'one byte at a time',
      cutAt(input, Array.from({ length: input.length }, (_, i) => i).slice(1)),
    ];
  }
  const next = seededRandom(SEED ^ hash(`${c.file}:${c.name}`));
  for (let n = 0; n < RANDOM_SPLITS; n++) {
    const points = new Set<number>();
    const count = 1 + Math.floor(next() * Math.min(16, input.length));
    for (let k = 0; k < count; k++)
      points.add(1 + Math.floor(next() * Math.max(1, input.length - 1)));
    const sorted = [...points].filter((p) => p < input.length).sort((a, b) => a - b);
    yield [`random cut ${n} at [${sorted.join(',')}] (CORPUS_SEED=${SEED})`, cutAt(input, sorted)];
  }
}

const cases = loadCorpus();

describe('parser conformance corpus', () => {
  it('holds at least 250 cases, 80 of them smuggling or malformed framing', () => {
    expect(cases.length).toBeGreaterThanOrEqual(250);
    expect(cases.filter((c) => c.file.endsWith('/smuggling.md')).length).toBeGreaterThanOrEqual(80);
  });

  for (const kind of KINDS) {
    describe(kind, () => {
      for (const c of cases.filter((x) => x.file.includes(`/${kind}/`))) {
        const where = `${c.file}:${c.line}`;
        it(`${c.name} (${where})`, () => {
          const options = optionsOf(c.meta);
          const expected = comparable(c.expected);
          for (const [how, chunks] of feedings(c)) {
            const log = formatResult(parseMessages(c.kind, chunks, options));
            if (comparable(log).join('\n') === expected.join('\n')) continue;
            expect(comparable(log), `${where}: ${c.name}, fed ${how}`).toEqual(expected);
          }
        });
      }
    });
  }
});
