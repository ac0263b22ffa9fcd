/**
 * 256-entry lookup tables named after RFC 9110/9112 ABNF, with the exact
 * membership llhttp 9 (strict build, as bundled by Node) uses. 1 = member.
 */

function table(...ranges: Array<number | [number, number] | string>): Uint8Array {
  const t = new Uint8Array(256);
  for (const r of ranges) {
    if (typeof r === 'number') t[r] = 1;
    else if (typeof r === 'string') for (let i = 0; i < r.length; i++) t[r.charCodeAt(i)] = 1;
    else for (let c = r[0]; c <= r[1]; c++) t[c] = 1;
  }
  return t;
}

const DIGIT: [number, number] = [0x30, 0x39];
const ALPHA_UPPER: [number, number] = [0x41, 0x5a];
const ALPHA_LOWER: [number, number] = [0x61, 0x7a];
const OBS_TEXT_RANGE: [number, number] = [0x80, 0xff];

/** TOKEN: RFC 9110 §5.6.2 tchar — header names, chunk extension names and values. */
export const TOKEN = table(DIGIT, ALPHA_UPPER, ALPHA_LOWER, "!#$%&'*+-.^_`|~");

/** FIELD_VALUE: HTAB, SP, VCHAR and obs-text — what llhttp accepts in a header value. */
export const FIELD_VALUE = table(0x09, [0x20, 0x7e], OBS_TEXT_RANGE);

/** CONNECTION_TOKEN: FIELD_VALUE without the comma (list members of Connection / Transfer-Encoding). */
export const CONNECTION_TOKEN = table(0x09, [0x20, 0x2b], [0x2d, 0x7e], OBS_TEXT_RANGE);

/** URL_CHAR: the request-target bytes llhttp's strict build accepts after the first one (VCHAR). */
export const URL_CHAR = table([0x21, 0x7e]);

/** URL_SERVER: userinfo / host / port bytes of an absolute-form or authority-form target. */
export const URL_SERVER = table(DIGIT, ALPHA_UPPER, ALPHA_LOWER, "!$%&'()*+,-.;:=_~[]");

/** ALPHA: URL scheme letters. */
export const ALPHA = table(ALPHA_UPPER, ALPHA_LOWER);

/** METHOD_CHAR: bytes that may appear in one of llhttp's method names. */
export const METHOD_CHAR = table(ALPHA_UPPER, '-_');

/** QDTEXT: RFC 9110 §5.6.4 qdtext — inside a quoted chunk extension value. */
export const QDTEXT = table(0x09, 0x20, 0x21, [0x23, 0x5b], [0x5d, 0x7e], OBS_TEXT_RANGE);

/** QUOTED_PAIR: the byte after a backslash in a quoted string (HTAB, SP, VCHAR, obs-text). */
export const QUOTED_PAIR = table(0x09, [0x20, 0x7e], OBS_TEXT_RANGE);

/** HEX: hexadecimal digit values, -1 for other bytes (chunk sizes). */
export const HEX = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 0; c < 10; c++) t[0x30 + c] = c;
  for (let c = 0; c < 6; c++) {
    t[0x41 + c] = 10 + c;
    t[0x61 + c] = 10 + c;
  }
  return t;
})();
