import type * as FastCheck from 'fast-check';

/**
 * fc is fast-check, the optional peer dependency of `httpwire/fuzz`,
 * loaded here so that a missing install fails with an error saying what to
 * install instead of a bare `ERR_MODULE_NOT_FOUND`. No other module of
 * httpwire imports it.
 */
export const fc: typeof FastCheck = await loadFastCheck();

async function loadFastCheck(): Promise<typeof FastCheck> {
  try {
    return await import('fast-check');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err;
    throw new Error(
      'httpwire/fuzz needs fast-check, an optional peer dependency: npm install --save-dev fast-check@^4',
      { cause: err },
    );
  }
}
