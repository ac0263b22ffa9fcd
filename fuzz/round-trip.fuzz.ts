import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { parseMessages } from '../src/parser/index.js';
import {
  comparableResult,
  expectedResult,
  llhttpOracle,
  messageBytes,
  type Sample,
  sampleArbitrary,
} from '../src/fuzz/index.js';
import { fuzzTest } from './support/run-property.js';
import type { ParseResult, ParserOptions, ParserKind } from '../src/parser/types.js';

type Parse = (kind: ParserKind, input: Uint8Array, options: ParserOptions) => ParseResult;

function roundTrips(parse: Parse) {
  return (sample: Sample): void => {
    const input = messageBytes(sample);
    const options =
      sample.requestMethod === undefined ? {} : { requestMethod: sample.requestMethod };
    expect(comparableResult(parse(sample.kind, input, options))).toEqual(expectedResult(sample));
  };
}

describe('serialized messages', () => {
  fuzzTest('parse back to the fields they were built from', () =>
    fc.property(sampleArbitrary(), roundTrips(parseMessages)),
  );

  // Keeps the generators honest: the model's expectations are llhttp's.
  fuzzTest('parse back to the same fields with llhttp', () =>
    fc.property(sampleArbitrary(), roundTrips(llhttpOracle)),
  );
});
