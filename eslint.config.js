import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers, lowest first, and what each may import (errors.ts is below them all).
 * STYLE.md: parser and io → message → conn → server / transport → proxy / forward /
 * upstream → cli; wire and fuzz are tools over the lower layers.
 */
const LAYERS = {
  parser: [],
  io: [],
  message: ['parser', 'io'],
  conn: ['parser', 'io', 'message'],
  server: ['parser', 'io', 'message', 'conn'],
  transport: ['parser', 'io', 'message', 'conn'],
  wire: ['parser', 'io', 'message', 'conn', 'transport'],
  proxy: ['parser', 'io', 'message', 'conn', 'server', 'transport'],
  forward: ['parser', 'io', 'message', 'conn', 'server', 'transport', 'proxy', 'wire'],
  upstream: ['parser', 'io', 'message', 'conn', 'server', 'transport', 'proxy'],
  fuzz: ['parser', 'io', 'message', 'wire'],
  cli: [],
};
const ALL = Object.keys(LAYERS);

/** One no-restricted-imports block per layer: every folder it may not reach. */
const layerRules = Object.entries(LAYERS)
  .filter(([layer]) => layer !== 'cli')
  .map(([layer, allowed]) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ALL.filter((other) => other !== layer && !allowed.includes(other)).map(
                (other) => `../${other}/*`,
              ),
              message: `layer rule (STYLE.md): src/${layer} may import only ${allowed.join(', ') || 'errors.ts'}`,
            },
          ],
        },
      ],
    },
  }));

/** Lint rules: eslint's and typescript-eslint's recommended sets, type-aware promise checks, the layer rule. */
export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.check.json' } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
      // Optional whitespace on the wire is SP and HTAB only (RFC 9110 §5.6.3).
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^trim(Start|End|Left|Right)?$/]',
          message:
            'trim() strips NBSP and other Unicode spaces: use trimOWS (message/field-syntax).',
        },
      ],
    },
  },
  ...layerRules,
);
