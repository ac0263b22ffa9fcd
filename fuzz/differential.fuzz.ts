import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { parseMessages } from '../src/parser/index.js';
import { caseBytes, caseOptions, mutatedCase, type ParseCase, validCase } from './support/cases.js';
import { comparableResult } from './support/compare.js';
import { oracleParseMessages } from './support/llhttp-oracle.js';
import { fuzzTest } from './support/run-property.js';

/**
 * Both parsers read the case in one chunk: they must agree on accept or
 * reject, on the error code and offset, on every message's fields and on
 * where an upgrade's tunnel begins.
 */
function agreesWithLlhttp(c: ParseCase): void {
  const input = caseBytes(c);
  const options = caseOptions(c);
  const ours = comparableResult(parseMessages(c.kind, input, options));
  const llhttp = comparableResult(oracleParseMessages(c.kind, input, options));
  expect(ours).toEqual(llhttp);
}

describe('parseMessages compared with Node’s llhttp in strict mode', () => {
  fuzzTest('agrees on valid requests and responses', () =>
    fc.property(validCase(), agreesWithLlhttp),
  );

  fuzzTest('agrees on mutated requests and responses', () =>
    fc.property(mutatedCase(), agreesWithLlhttp),
  );
});
