/**
 * The rules for runnable examples in README.md and docs/**\/*.md, read by
 * examples.test.ts:
 *
 * - Every fenced block whose info string starts with `js` or `ts` is run
 *   (`ts` with tsx), unless its info string also says `fragment`
 *   (three backticks, then `js fragment`): shapes, signatures and snippets
 *   that need context are fragments.
 * - A runnable block runs alone with Node 20 against dist/ (`import ... from
 *   'httpwire'` resolves by package self-reference), exits on its own within
 *   10 s with status 0, closes every server and transport it opens and
 *   listens on 127.0.0.1 port 0.
 * - Output is checked in one of two ways, never both in one block:
 *   1. a comment `// → text` (or `// prints text`) on or under the line
 *      that prints: each such comment is one printed line, in order, and
 *      the block must print exactly those lines (so a loop that prints
 *      several lines shows them in a `prints` block instead);
 *   2. a paragraph that is just `prints` right after the block, followed by
 *      a fence with no info string: the block must print exactly that text.
 *   Any other comment (`// 200 hello`) is prose and is not checked.
 */

/** DocBlock: one runnable example. */
export interface DocBlock {
  /** `file.md:line` of the opening fence, relative to the repository. */
  where: string;
  lang: 'js' | 'ts';
  code: string;
  /** The lines the block must print, or null when its output is not shown. */
  expected: string[] | null;
  /** Why the block's markup is wrong (both output styles at once), or null. */
  problem: string | null;
}

const FENCE = '```';
const INLINE_MARKERS = ['// → ', '// prints '];

/** fenceInfo returns the info string words of a fence line, or null when `line` is no fence. */
function fenceInfo(line: string): string[] | null {
  if (!line.startsWith(FENCE)) return null;
  return line
    .slice(FENCE.length)
    .split(/[ \t]+/)
    .filter((w) => w !== '');
}

/** inlineExpected returns the text after an output marker on `line`, or null. */
function inlineExpected(line: string): string | null {
  for (const marker of INLINE_MARKERS) {
    const at = line.indexOf(marker);
    if (at >= 0) return line.slice(at + marker.length);
  }
  return null;
}

/** closingFence returns the index of the fence that closes a block opened before `from`. */
function closingFence(lines: readonly string[], from: number, where: string): number {
  for (let i = from; i < lines.length; i++) if (lines[i] === FENCE) return i;
  throw new Error(`${where}: the block is never closed`);
}

/** nextNonBlank returns the index of the first non-blank line at or after `from`, or -1. */
function nextNonBlank(lines: readonly string[], from: number): number {
  for (let i = from; i < lines.length; i++) if (lines[i] !== '') return i;
  return -1;
}

/** printsBlock returns the body of a `prints` paragraph plus bare fence right after line `end`, or null. */
function printsBlock(lines: readonly string[], end: number, where: string): string[] | null {
  const label = nextNonBlank(lines, end + 1);
  if (label < 0 || lines[label] !== 'prints') return null;
  const open = nextNonBlank(lines, label + 1);
  if (open < 0 || lines[open] !== FENCE) {
    throw new Error(`${where}: 'prints' must be followed by a fence with no info string`);
  }
  return lines.slice(open + 1, closingFence(lines, open + 1, where));
}

/** docBlocks returns the runnable blocks of one markdown file; `file` names it in `where`. */
export function docBlocks(markdown: string, file: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const info = fenceInfo(lines[i]!);
    if (info === null) continue;
    const where = `${file}:${i + 1}`;
    const end = closingFence(lines, i + 1, where);
    const lang = info[0];
    if ((lang === 'js' || lang === 'ts') && !info.includes('fragment')) {
      const body = lines.slice(i + 1, end);
      const inline = body.map(inlineExpected).filter((t) => t !== null);
      const printed = printsBlock(lines, end, where);
      const both = inline.length > 0 && printed !== null;
      blocks.push({
        where,
        lang,
        code: body.join('\n') + '\n',
        expected: printed ?? (inline.length > 0 ? inline : null),
        problem: both ? "shows output both in '// →' comments and in a 'prints' block" : null,
      });
    }
    i = end;
  }
  return blocks;
}
