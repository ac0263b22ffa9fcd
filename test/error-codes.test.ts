/**
 * Every error code httpwire throws is listed in ErrorCode and documented in
 * docs/errors.md: a code added without both fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_ERROR_CODES } from '../src/error-codes.js';
import { ERROR } from '../src/parser/constants.js';

const root = new URL('..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Node's own codes that src compares errors against (never thrown by httpwire). */
const NODE_CODES = new Set(['ERR_MODULE_NOT_FOUND']);

const thrown = new Set(
  sources(join(root, 'src'))
    .filter((file) => !file.endsWith('error-codes.ts'))
    .flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/'(ERR_[A-Z0-9_]+)'/g)]
        .map((m) => m[1]!)
        .filter((code) => !NODE_CODES.has(code)),
    ),
);
const documented = new Set(
  [
    ...readFileSync(join(root, 'docs/errors.md'), 'utf8').matchAll(
      /^#{2,3} ((?:ERR|HPE)_[A-Z0-9_]+)$/gm,
    ),
  ].map((m) => m[1]!),
);

describe('error codes', () => {
  it('lists every ERR_ code written in src in PROTOCOL_ERROR_CODES, and no other', () => {
    expect([...thrown].sort()).toEqual([...PROTOCOL_ERROR_CODES].sort());
  });

  it('documents every code, parser codes included, with a heading in docs/errors.md', () => {
    const parserCodes = Object.keys(ERROR).map((name) => `HPE_${name}`);
    const missing = [...PROTOCOL_ERROR_CODES, ...parserCodes].filter((c) => !documented.has(c));
    expect(missing).toEqual([]);
  });
});
