/**
 * The bytes the parser names, as a const enum that tsc inlines, and the
 * Buffer type it reads: Node's Buffer with its latin1 decoder.
 */

/** Byte: the byte values the state machine compares against. */
export const enum Byte {
  HTAB = 0x09,
  LF = 0x0a,
  FF = 0x0c,
  CR = 0x0d,
  SP = 0x20,
  QUOTE = 0x22,
  ASTERISK = 0x2a,
  DOT = 0x2e,
  SLASH = 0x2f,
  ZERO = 0x30,
  NINE = 0x39,
  COLON = 0x3a,
  SEMICOLON = 0x3b,
  EQUALS = 0x3d,
  QUESTION = 0x3f,
  AT = 0x40,
  UPPER_H = 0x48,
  UPPER_I = 0x49,
  UPPER_P = 0x50,
  UPPER_R = 0x52,
  UPPER_T = 0x54,
  BACKSLASH = 0x5c,
}

/** Bytes: a Buffer; `latin1Slice` decodes without `toString`'s argument checks. */
export type Bytes = Buffer & { latin1Slice(start: number, end: number): string };
