import fc from 'fast-check';
import {
  applyMutation,
  latin1Bytes,
  latin1Data,
  messageText,
  mutationArbitrary,
  type Sample,
  sampleArbitrary,
} from '../../src/fuzz/index.js';
import type { ParserKind, ParserOptions } from '../../src/parser/types.js';

/**
 * ParseCase: one input for a parser, the stream as a latin1 string so that a
 * failing case prints as a readable JSON string; `tricks` names the
 * mutations applied, so a failure says which trick found it.
 */
export interface ParseCase {
  kind: ParserKind;
  input: string;
  requestMethod?: string[];
  tricks?: string[];
}

function toCase(sample: Sample, input: string): ParseCase {
  if (sample.requestMethod === undefined) return { kind: sample.kind, input };
  return { kind: sample.kind, input, requestMethod: sample.requestMethod };
}

/** validCase: a valid stream of 1–4 messages (requests, responses, responses with request methods). */
export function validCase(): fc.Arbitrary<ParseCase> {
  return sampleArbitrary().map((sample) => toCase(sample, messageText(sample)));
}

/** mutatedCase: a valid stream with 1–4 smuggling mutations applied, their tricks named. */
export function mutatedCase(): fc.Arbitrary<ParseCase> {
  return fc
    .tuple(sampleArbitrary(), fc.array(mutationArbitrary(), { minLength: 1, maxLength: 4 }))
    .map(([sample, edits]) => ({
      ...toCase(sample, edits.reduce(applyMutation, messageText(sample))),
      tricks: edits.map((edit) => edit.trick),
    }));
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
