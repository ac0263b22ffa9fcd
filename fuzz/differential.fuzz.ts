import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { parseMessages } from '../src/parser/index.js';
import { caseBytes, caseOptions, mutatedCase, type ParseCase, validCase } from './support/cases.js';
import {
  type ComparableResult,
  comparableResult,
  differenceKind,
  HIDDEN_ERROR_CODE,
  llhttpOracle,
  minimizeInput,
  withKnownErrorCode,
} from '../src/fuzz/index.js';
import { fuzzTest } from './support/run-property.js';

function ours(c: ParseCase): ComparableResult {
  return comparableResult(parseMessages(c.kind, caseBytes(c), caseOptions(c)));
}

/** llhttp's result; an error code Node hid is taken to be ours. */
function llhttp(c: ParseCase): ComparableResult {
  const result = comparableResult(llhttpOracle(c.kind, caseBytes(c), caseOptions(c)));
  return withKnownErrorCode(result, ours(c), HIDDEN_ERROR_CODE);
}

/**
 * Both parsers read the case in one chunk: they must agree on accept or
 * reject, on the error code and offset, on every message's fields and on
 * where an upgrade's tunnel begins.
 */
function agreesWithLlhttp(c: ParseCase): void {
  expect(ours(c)).toEqual(llhttp(c));
}

/** The smallest input found that shows the same kind of disagreement, with both answers. */
function smallestDisagreement([c]: [ParseCase]): string {
  const kind = differenceKind(ours(c), llhttp(c));
  const input = minimizeInput(c.input, (candidate) => {
    const smaller = { ...c, input: candidate };
    return differenceKind(ours(smaller), llhttp(smaller)) === kind;
  });
  const small = { ...c, input };
  return [
    `Smallest input with the same disagreement (${kind}): ${JSON.stringify(small)}`,
    `ours:   ${JSON.stringify(ours(small))}`,
    `llhttp: ${JSON.stringify(llhttp(small))}`,
  ].join('\n');
}

describe('parseMessages compared with Node’s llhttp in strict mode', () => {
  fuzzTest(
    'agrees on valid requests and responses',
    () => fc.property(validCase(), agreesWithLlhttp),
    smallestDisagreement,
  );

  fuzzTest(
    'agrees on mutated requests and responses',
    () => fc.property(mutatedCase(), agreesWithLlhttp),
    smallestDisagreement,
  );
});
