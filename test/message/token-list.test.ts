import { describe, expect, it } from 'vitest';
import { forEachElement, hasToken, trimOWS } from '../../src/message/token-list.js';

describe('hasToken', () => {
  it("never matches through a non-ASCII char that lower-cases to ASCII (Go's tokenEqual)", () => {
    // U+017F LATIN SMALL LETTER LONG S folds to "s" under Unicode rules
    expect(hasToken(['trailer\u017f'], 'trailers')).toBe(false);
    expect(hasToken(['keep-alive, UPGRADE'], 'upgrade')).toBe(true);
    expect(hasToken([], 'upgrade')).toBe(false);
  });

  it('trims SP and HTAB only: NBSP, NEL and other Unicode spaces are part of the element (RFC 9110 §5.6.3)', () => {
    expect(hasToken([' \t100-continue\t '], '100-continue')).toBe(true);
    expect(hasToken(['100-continue\xa0'], '100-continue')).toBe(false);
    expect(hasToken(['\u0085close'], 'close')).toBe(false);
    expect(hasToken(['close\u2009'], 'close')).toBe(false);
  });

  it('looks at every line and every element', () => {
    expect(hasToken(['gzip', 'deflate, chunked'], 'chunked')).toBe(true);
    expect(hasToken(['gzip,,', ' , chunked'], 'chunked')).toBe(true);
    expect(hasToken(['chunkedx'], 'chunked')).toBe(false);
  });
});

describe('forEachElement', () => {
  it('yields non-empty elements trimmed of OWS, in order', () => {
    const value = ' a ,, b\t,\tc d ,';
    const seen: string[] = [];
    forEachElement(value, (from, to) => {
      seen.push(value.slice(from, to));
    });
    expect(seen).toEqual(['a', 'b', 'c d']);
  });
});

describe('trimOWS', () => {
  it('strips SP and HTAB only, never NBSP, NEL or other Unicode spaces (RFC 9110 §5.6.3)', () => {
    expect(trimOWS(' \t100-continue\t ')).toBe('100-continue');
    expect(trimOWS('100-continue\u00a0')).toBe('100-continue\u00a0');
    expect(trimOWS('\u0085x\u2028')).toBe('\u0085x\u2028');
    expect(trimOWS('\v\fx\r\n')).toBe('\v\fx\r\n');
    expect(trimOWS(' \t ')).toBe('');
  });
});
