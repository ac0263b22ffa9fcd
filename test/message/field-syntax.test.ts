import { describe, expect, it } from 'vitest';
import {
  equalFoldASCII,
  forEachListElement,
  hasToken,
  isPrintableASCII,
  trimOWS,
} from '../../src/message/field-syntax.js';

/** elements lists what forEachListElement reports for `value`. */
function elements(value: string): string[] {
  const out: string[] = [];
  forEachListElement(value, (from, to) => {
    out.push(value.slice(from, to));
  });
  return out;
}

describe('trimOWS', () => {
  it('strips SP and HTAB only, never NBSP, NEL or other Unicode spaces (RFC 9110 §5.6.3)', () => {
    expect(trimOWS(' \t100-continue\t ')).toBe('100-continue');
    expect(trimOWS('100-continue\u00a0')).toBe('100-continue\u00a0');
    expect(trimOWS('\u0085x\u2028')).toBe('\u0085x\u2028');
    expect(trimOWS('\v\fx\r\n')).toBe('\v\fx\r\n');
    expect(trimOWS(' \t ')).toBe('');
  });
});

describe('forEachListElement', () => {
  it('yields the OWS-trimmed non-empty elements and stops when told', () => {
    expect(elements(' a ,, b\t,\tc d ,')).toEqual(['a', 'b', 'c d']);
    expect(elements('x\u00a0, y')).toEqual(['x\u00a0', 'y']);
    expect(elements('')).toEqual([]);
    const seen: string[] = [];
    const value = 'a, b, c';
    expect(forEachListElement(value, (from, to) => seen.push(value.slice(from, to)) === 2)).toBe(
      true,
    );
    expect(seen).toEqual(['a', 'b']);
  });
});

describe('hasToken', () => {
  it("never matches through a non-ASCII char that lower-cases to ASCII (Go's tokenEqual)", () => {
    // U+017F LATIN SMALL LETTER LONG S folds to "s" under Unicode rules
    expect(hasToken(['trailer\u017f'], 'trailers')).toBe(false);
    expect(hasToken(['keep-alive, UPGRADE'], 'upgrade')).toBe(true);
    expect(hasToken(['keep-alive', 'x ,\tUpgrade'], 'upgrade')).toBe(true);
    expect(hasToken([], 'upgrade')).toBe(false);
  });

  it('does not take 100-continue followed by NBSP for 100-continue', () => {
    expect(hasToken(['100-continue\u00a0'], '100-continue')).toBe(false);
    expect(hasToken(['\u00a0100-continue'], '100-continue')).toBe(false);
    expect(hasToken(['\t100-Continue '], '100-continue')).toBe(true);
  });
});

describe('ASCII helpers', () => {
  it('isPrintableASCII accepts SP..~ only and equalFoldASCII folds ASCII letters only', () => {
    expect(isPrintableASCII(' ~azAZ09')).toBe(true);
    expect(isPrintableASCII('a\tb')).toBe(false);
    expect(isPrintableASCII('\u007f')).toBe(false);
    expect(equalFoldASCII('WebSocket', 'websocket')).toBe(true);
    expect(equalFoldASCII('\u017f', 's')).toBe(false);
    expect(equalFoldASCII('ab', 'abc')).toBe(false);
  });
});
