import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { parseMessages } from '../src/parser/index.js';
import {
  type ComparableResult,
  comparableResult,
  differenceKind,
  minimizeInput,
  splitAt,
  splitsArbitrary,
} from '../src/fuzz/index.js';
import {
  caseBytes,
  caseOptions,
  mutatedCase,
  type ParseCase,
  randomCase,
  validCase,
} from './support/cases.js';
import { fuzzTest } from './support/run-property.js';

function whole(c: ParseCase): ComparableResult {
  return comparableResult(parseMessages(c.kind, caseBytes(c), caseOptions(c)));
}

function pieces(c: ParseCase, chunks: Uint8Array[]): ComparableResult {
  return comparableResult(parseMessages(c.kind, chunks, caseOptions(c)));
}

function sameResultWhenSplit([c, chunks]: [ParseCase, Uint8Array[]]): void {
  expect(pieces(c, chunks)).toEqual(whole(c));
}

/** The cut offsets that give `chunks`. */
function cutsOf(chunks: Uint8Array[]): number[] {
  let at = 0;
  return chunks.slice(0, -1).map((chunk) => (at += chunk.length));
}

/** The smallest input found that the same cuts still break, with both answers. */
function smallestSplitDifference([[c, chunks]]: [[ParseCase, Uint8Array[]]]): string {
  const cuts = cutsOf(chunks);
  const split = (x: ParseCase) => pieces(x, splitAt(caseBytes(x), cuts));
  const kind = differenceKind(split(c), whole(c));
  const input = minimizeInput(c.input, (candidate) => {
    const smaller = { ...c, input: candidate };
    return differenceKind(split(smaller), whole(smaller)) === kind;
  });
  const small = { ...c, input };
  return [
    `Smallest input with the same difference (${kind}) at cuts ${JSON.stringify(cuts)}: ${JSON.stringify(small)}`,
    `split: ${JSON.stringify(split(small))}`,
    `whole: ${JSON.stringify(whole(small))}`,
  ].join('\n');
}

const splitCase = fc
  .oneof(validCase(), mutatedCase(), randomCase())
  .chain((c) =>
    splitsArbitrary(caseBytes(c)).map((chunks): [ParseCase, Uint8Array[]] => [c, chunks]),
  );

describe('parseMessages over chunks', () => {
  fuzzTest(
    'gives the same result however the input is split',
    () => fc.property(splitCase, sameResultWhenSplit),
    smallestSplitDifference,
  );
});
