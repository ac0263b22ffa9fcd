import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { ParseError } from '../src/errors.js';
import { parseMessages } from '../src/parser/index.js';
import type { ParserOptions } from '../src/parser/types.js';
import { caseBytes, type ParseCase, prefixedRandomCase, randomCase } from './support/cases.js';
import { fuzzTest } from './support/run-property.js';

/** No input of this size may take the parser anywhere near this long. */
const MAX_PARSE_MS = 1000;

const options: fc.Arbitrary<ParserOptions> = fc.record(
  {
    lenient: fc.nat(0x3ff),
    maxHeaderBytes: fc.integer({ min: 1, max: 1024 }),
    requestMethod: fc.oneof(
      fc.constantFrom('GET', 'HEAD', 'CONNECT'),
      fc.array(fc.constantFrom('GET', 'HEAD', 'CONNECT'), { maxLength: 4 }),
    ),
  },
  { requiredKeys: [] },
);

function endsInMessagesOrParseError(c: ParseCase, parserOptions: ParserOptions): void {
  const input = caseBytes(c);
  const started = performance.now();
  const result = parseMessages(c.kind, input, parserOptions);
  expect(performance.now() - started).toBeLessThan(MAX_PARSE_MS);
  expect(result.consumed).toBeGreaterThanOrEqual(0);
  expect(result.consumed).toBeLessThanOrEqual(input.length);
  if (result.error === null) return;
  expect(result.error).toBeInstanceOf(ParseError);
  expect(result.error.code).toMatch(/^HPE_[A-Z_]+$/);
  expect(result.error.offset).toBeLessThanOrEqual(input.length);
}

describe('parseMessages on arbitrary bytes', () => {
  fuzzTest('returns messages or a ParseError and never throws', () =>
    fc.property(fc.oneof(randomCase(), prefixedRandomCase()), options, endsInMessagesOrParseError),
  );
});
