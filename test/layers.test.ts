/**
 * The layer rule of STYLE.md, as eslint.config.js enforces it: a lower
 * layer importing a higher one is a lint error, the other way is not.
 */
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const CONFIG = '../eslint.config.js'; // plain JS: typed here, not by a hand-written .d.ts
const { default: config } = (await import(CONFIG)) as { default: Linter.Config[] };
const layerBlocks = config.filter((block) => block.rules?.['no-restricted-imports'] !== undefined);
const linter = new Linter({ configType: 'flat' });

function importErrors(file: string, specifier: string): string[] {
  const code = `import { x } from '${specifier}';\nexport const y = x;\n`;
  const messages = linter.verify(
    code,
    [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...layerBlocks],
    { filename: file },
  );
  return messages.map((m) => m.message);
}

describe('the layer rule', () => {
  it.each([
    ['src/parser/parser.ts', '../message/header.js'],
    ['src/parser/parser.ts', '../io/pipeline.js'],
    ['src/io/pipeline.ts', '../parser/parser.js'],
    ['src/message/header.ts', '../conn/client-conn.js'],
    ['src/conn/client-conn.ts', '../transport/transport.js'],
    ['src/server/server.ts', '../transport/transport.js'],
    ['src/transport/transport.ts', '../server/server.js'],
    ['src/transport/transport.ts', '../proxy/reverse-proxy.js'],
    ['src/proxy/reverse-proxy.ts', '../cli/main.js'],
  ])('refuses %s importing %s', (file, specifier) => {
    expect(importErrors(file, specifier)).toEqual([
      expect.stringContaining('layer rule (STYLE.md)'),
    ]);
  });

  it.each([
    ['src/message/header.ts', '../parser/charsets.js'],
    ['src/conn/client-conn.ts', '../io/pipeline.js'],
    ['src/server/server.ts', '../conn/server-conn.js'],
    ['src/proxy/reverse-proxy.ts', '../transport/transport.js'],
    ['src/proxy/reverse-proxy.ts', '../server/handler.js'],
    ['src/cli/main.ts', '../proxy/reverse-proxy.js'],
    ['src/parser/parser.ts', '../errors.js'],
  ])('lets %s import %s', (file, specifier) => {
    expect(importErrors(file, specifier)).toEqual([]);
  });
});
