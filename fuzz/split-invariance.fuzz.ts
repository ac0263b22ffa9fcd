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
import { comparableResult } from './support/compare.js';
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

function sameResultWhenSplit(c: ParseCase, cuts: Cuts): void {
  const input = caseBytes(c);
  const options = caseOptions(c);
  const whole = comparableResult(parseMessages(c.kind, input, options));
  const pieces = comparableResult(parseMessages(c.kind, split(input, cuts), options));
  expect(pieces).toEqual(whole);
}

describe('parseMessages over chunks', () => {
  fuzzTest('gives the same result however the input is split', () =>
    fc.property(
      fc.oneof(validCase(), mutatedCase(), randomCase()),
      fc.oneof<fc.Arbitrary<Cuts>[]>(
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.constant('each byte'),
      ),
      sameResultWhenSplit,
    ),
  );
});
