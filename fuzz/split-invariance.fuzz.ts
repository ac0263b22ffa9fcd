import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { parseMessages } from '../src/parser/index.js';
import {
  caseBytes,
  caseOptions,
  mutatedCase,
  type ParseCase,
  randomCase,
  validCase,
} from './support/cases.js';
import { type ComparableResult, comparableResult, differenceKind } from './support/compare.js';
import { minimizeInput } from './support/minimize.js';
import { fuzzTest } from './support/run-property.js';

/** Cut points (taken modulo the input length; repeats give empty chunks), or one chunk per byte. */
type Cuts = number[] | 'each byte';

function split(input: Uint8Array, cuts: Cuts): Uint8Array[] {
  if (cuts === 'each byte') return Array.from(input, (_, i) => input.subarray(i, i + 1));
  const points = cuts.map((cut) => cut % (input.length + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(input.subarray(start, point));
    start = point;
  }
  chunks.push(input.subarray(start));
  return chunks;
}

function whole(c: ParseCase): ComparableResult {
  return comparableResult(parseMessages(c.kind, caseBytes(c), caseOptions(c)));
}

function pieces(c: ParseCase, cuts: Cuts): ComparableResult {
  return comparableResult(parseMessages(c.kind, split(caseBytes(c), cuts), caseOptions(c)));
}

function sameResultWhenSplit(c: ParseCase, cuts: Cuts): void {
  expect(pieces(c, cuts)).toEqual(whole(c));
}

/** The smallest input found that the same cuts still break, with both answers. */
function smallestSplitDifference([c, cuts]: [ParseCase, Cuts]): string {
  const kind = differenceKind(pieces(c, cuts), whole(c));
  const input = minimizeInput(c.input, (candidate) => {
    const smaller = { ...c, input: candidate };
    return differenceKind(pieces(smaller, cuts), whole(smaller)) === kind;
  });
  const small = { ...c, input };
  return [
    `Smallest input with the same difference (${kind}): ${JSON.stringify(small)}`,
    `split: ${JSON.stringify(pieces(small, cuts))}`,
    `whole: ${JSON.stringify(whole(small))}`,
  ].join('\n');
}

describe('parseMessages over chunks', () => {
  fuzzTest(
    'gives the same result however the input is split',
    () =>
      fc.property(
        fc.oneof(validCase(), mutatedCase(), randomCase()),
        fc.oneof<fc.Arbitrary<Cuts>[]>(
          fc.array(fc.nat(), { maxLength: 6 }),
          fc.constant('each byte'),
        ),
        sameResultWhenSplit,
      ),
    smallestSplitDifference,
  );
});
