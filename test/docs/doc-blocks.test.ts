import { describe, expect, it } from 'vitest';
import { docBlocks } from './doc-blocks.js';

const FENCE = '```';

function md(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

describe('docBlocks', () => {
  it('takes js and ts blocks with the line of their fence, and skips fragments and other languages', () => {
    const blocks = docBlocks(
      md(
        '# Title',
        FENCE + 'js',
        'console.log(1);',
        FENCE,
        FENCE + 'js fragment',
        'conn.read(req);',
        FENCE,
        FENCE + 'sh',
        'npm test',
        FENCE,
        FENCE + 'ts',
        'const x: number = 1;',
        FENCE,
      ),
      'docs/a.md',
    );
    expect(blocks.map((b) => [b.where, b.lang, b.code])).toEqual([
      ['docs/a.md:2', 'js', 'console.log(1);\n'],
      ['docs/a.md:11', 'ts', 'const x: number = 1;\n'],
    ]);
    expect(blocks.map((b) => b.expected)).toEqual([null, null]);
  });

  it('reads output from arrow and prints comments, in order', () => {
    const [block] = docBlocks(
      md(
        FENCE + 'js',
        "console.log('a', 1); // → a 1",
        'console.log(2);',
        '// prints 2',
        "console.log('x'); // x (prose)",
        FENCE,
      ),
      'README.md',
    );
    expect(block?.expected).toEqual(['a 1', '2']);
    expect(block?.problem).toBeNull();
  });

  it('reads output from a prints block after the example', () => {
    const [block] = docBlocks(
      md(
        FENCE + 'js',
        'for (const n of [1, 2]) console.log(n);',
        FENCE,
        '',
        'prints',
        '',
        FENCE,
        '1',
        '2',
        FENCE,
      ),
      'docs/b.md',
    );
    expect(block?.expected).toEqual(['1', '2']);
  });

  it('flags a block that shows its output both ways', () => {
    const [block] = docBlocks(
      md(FENCE + 'js', 'console.log(1); // → 1', FENCE, 'prints', FENCE, '1', FENCE),
      'docs/c.md',
    );
    expect(block?.problem).toMatch(/both/);
  });

  it('names the file and line of a block that is never closed', () => {
    expect(() => docBlocks(md('text', FENCE + 'js', 'x'), 'docs/d.md')).toThrow('docs/d.md:2');
  });
});
