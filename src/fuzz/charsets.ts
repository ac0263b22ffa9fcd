import type { Arbitrary } from 'fast-check';
import { fc } from './fast-check.js';

/** chars lists the characters of a string one by one. */
function chars(text: string): string[] {
  return [...text];
}

function range(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));
}

const DIGIT = range(0x30, 0x39);
const ALPHA = [...range(0x41, 0x5a), ...range(0x61, 0x7a)];
const UNRESERVED = [...ALPHA, ...DIGIT, ...chars('-._~')];
const SUB_DELIMS = chars("!$&'()*+,;=");
/** RFC 9110 §5.6.2 tchar. */
const TCHAR = [...ALPHA, ...DIGIT, ...chars("!#$%&'*+-.^_`|~")];
/** RFC 5234 VCHAR. */
const VCHAR = range(0x21, 0x7e);
/** RFC 9110 §5.5 obs-text. */
const OBS_TEXT = range(0x80, 0xff);
/** RFC 3986 pchar without pct-encoded (generated separately). */
const PCHAR = [...UNRESERVED, ...SUB_DELIMS, ':', '@'];
/** RFC 9110 §5.6.4 qdtext. */
const QDTEXT = ['\t', ' ', '!', ...range(0x23, 0x5b), ...range(0x5d, 0x7e), ...OBS_TEXT];

const hexDigit = fc.constantFrom(...chars('0123456789abcdefABCDEF'));

/** token: RFC 9110 tchar+, as header names, chunk extension names and methods use. */
export function token(maxLength = 12): Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength });
}

/** fieldValue: RFC 9110 field-value (VCHAR, obs-text, inner SP/HTAB), never starting or ending in whitespace. */
export function fieldValue(maxLength = 24): Arbitrary<string> {
  const unit = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...VCHAR) },
    { weight: 2, arbitrary: fc.constantFrom(' ', '\t') },
    { weight: 1, arbitrary: fc.constantFrom(...OBS_TEXT) },
  );
  return fc.string({ unit, maxLength }).map((value) => value.replace(/^[ \t]+|[ \t]+$/g, ''));
}

/** reasonPhrase: RFC 9112 §4 reason-phrase (HTAB, SP, VCHAR, obs-text), possibly empty. */
export function reasonPhrase(): Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('OK', 'Not Found', 'Continue', 'Switching Protocols', ''),
    fc.string({ unit: fc.constantFrom(...VCHAR, ' ', '\t', ...OBS_TEXT), maxLength: 20 }),
  );
}

/** pathChars: RFC 3986 path or query characters, `%HH` escapes included. */
export function pathChars(extra: string, maxLength: number): Arbitrary<string> {
  const pct = fc.tuple(hexDigit, hexDigit).map(([a, b]) => `%${a}${b}`);
  const unit = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...PCHAR, ...chars(extra)) },
    { weight: 1, arbitrary: pct },
  );
  return fc.string({ unit, maxLength });
}

/** quotedString: RFC 9110 quoted-string with qdtext and quoted-pairs. */
export function quotedString(): Arbitrary<string> {
  const pair = fc.constantFrom(...VCHAR, ' ', '\t', ...OBS_TEXT).map((c) => `\\${c}`);
  const unit = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...QDTEXT) }, pair);
  return fc.string({ unit, maxLength: 12 }).map((text) => `"${text}"`);
}

/** latin1Data: any bytes as a latin1 string, for bodies and tunnels. */
export function latin1Data(maxLength: number, minLength = 0): Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...range(0, 0xff)), minLength, maxLength });
}
