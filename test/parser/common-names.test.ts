/**
 * Interned field names: the fast head path hands out the shared string of
 * a common name when the bytes spell it exactly, and a slice otherwise;
 * either way the name is the one on the wire, case and all.
 */
import { describe, expect, it } from 'vitest';
import { COMMON_NAMES, internedName } from '../../src/parser/common-names.js';
import type { Bytes } from '../../src/parser/bytes.js';
import { parseMessages } from '../../src/parser/index.js';

const bytes = (text: string) => Buffer.from(text, 'latin1') as Bytes;

describe('internedName', () => {
  it('returns the canonical and the lower-case spelling of every common name', () => {
    for (const name of COMMON_NAMES) {
      expect(internedName(bytes(`${name}:`), 0, name.length)).toBe(name);
      const lower = name.toLowerCase();
      expect(internedName(bytes(`x${lower}`), 1, 1 + lower.length)).toBe(lower);
    }
  });

  it('returns null for other spellings and other names', () => {
    for (const name of ['content-Length', 'HOST', 'X-Custom', 'Hosts', 'Hos', 'A']) {
      expect(internedName(bytes(name), 0, name.length)).toBeNull();
    }
  });
});

describe('Parser with interned names', () => {
  it('keeps every name as sent, in any case', () => {
    const head =
      'GET / HTTP/1.1\r\nHost: a\r\nHOST-X: b\r\ncontent-length: 0\r\nuser-AGENT: c\r\nAccept: d\r\n\r\n';
    const { messages } = parseMessages('request', bytes(head));
    expect(messages[0]!.headers).toEqual([
      ['Host', 'a'],
      ['HOST-X', 'b'],
      ['content-length', '0'],
      ['user-AGENT', 'c'],
      ['Accept', 'd'],
    ]);
  });
});
