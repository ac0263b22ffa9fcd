import fc from 'fast-check';
import type { ParserKind, ParserOptions } from '../../src/parser/types.js';
import { latin1Data } from './charsets.js';
import { anySample } from './generators.js';
import { latin1Bytes } from './latin1.js';
import { applyMutation, mutation } from './mutations.js';
import { type Sample, serializeSample } from './serialize.js';

/**
 * ParseCase: one input for a parser, the stream as a latin1 string so that a
 * failing case prints as a readable JSON string.
 */
export interface ParseCase {
  kind: ParserKind;
  input: string;
  requestMethod?: string[];
}

function toCase(sample: Sample, input: string): ParseCase {
  if (sample.requestMethod === undefined) return { kind: sample.kind, input };
  return { kind: sample.kind, input, requestMethod: sample.requestMethod };
}

/** validCase: a valid stream of 1–4 messages (requests, responses, responses with request methods). */
export function validCase(): fc.Arbitrary<ParseCase> {
  return anySample().map((sample) => toCase(sample, serializeSample(sample)));
}

/** mutatedCase: a valid stream with 1–4 mutations applied. */
export function mutatedCase(): fc.Arbitrary<ParseCase> {
  return fc
    .tuple(anySample(), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([sample, edits]) => toCase(sample, edits.reduce(applyMutation, serializeSample(sample))));
}

const kind = fc.constantFrom<ParserKind>('request', 'response');

/** randomCase: arbitrary bytes. */
export function randomCase(): fc.Arbitrary<ParseCase> {
  return fc.record({ kind, input: latin1Data(512) });
}

/** prefixedRandomCase: a valid stream, cut anywhere, followed by arbitrary bytes. */
export function prefixedRandomCase(): fc.Arbitrary<ParseCase> {
  return fc.tuple(validCase(), fc.nat(), latin1Data(256)).map(([c, cut, tail]) => ({
    ...c,
    input: c.input.slice(0, cut % (c.input.length + 1)) + tail,
  }));
}

/** caseBytes: the input of a case as bytes. */
export function caseBytes(c: ParseCase): Uint8Array {
  return latin1Bytes(c.input);
}

/** caseOptions: the parser options a case asks for. */
export function caseOptions(c: ParseCase): ParserOptions {
  return c.requestMethod === undefined ? {} : { requestMethod: c.requestMethod };
}
