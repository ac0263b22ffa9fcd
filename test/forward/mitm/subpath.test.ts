/**
 * The `httpwire/mitm` subpath as a user imports it: from the built package
 * (dist/, by package self-reference) in a child process.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** loadedX509 imports `specifier` in a fresh node and says whether @peculiar/x509 was loaded. */
async function loadedX509(specifier: string): Promise<boolean> {
  const script = `
    import { createRequire } from 'node:module';
    const mod = await import(${JSON.stringify(specifier)});
    if (Object.keys(mod).length === 0) throw new Error('nothing exported');
    const cache = Object.keys(createRequire(import.meta.url).cache);
    console.log(cache.some((file) => file.includes('@peculiar/x509')));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    timeout: 10_000,
  });
  return stdout === 'true\n';
}

describe('httpwire/mitm', () => {
  it('is the only entry point that loads @peculiar/x509', async () => {
    expect(await loadedX509('httpwire')).toBe(false);
    expect(await loadedX509('httpwire/mitm')).toBe(true);
  });
});
