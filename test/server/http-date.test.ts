import { describe, expect, it } from 'vitest';
import { httpDate } from '../../src/server/http-date.js';

describe('httpDate', () => {
  it('is the current second as an RFC 9110 IMF-fixdate', () => {
    const before = new Date(Math.floor(Date.now() / 1000) * 1000).toUTCString();
    const date = httpDate();
    const after = new Date(Math.floor(Date.now() / 1000) * 1000).toUTCString();
    expect([before, after]).toContain(date);
    expect(date).toMatch(
      /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/,
    );
  });

  it('moves on with the clock, not once per process', async () => {
    const first = httpDate();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(httpDate()).not.toBe(first);
  });
});
