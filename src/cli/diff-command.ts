/**
 * `httpwire diff [--request|--response] [--method M]... [--lenient FLAG]... DIR`
 * runs every file of a corpus through httpwire's parser and through the
 * llhttp bundled in Node, and prints where they disagree.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from './command.js';
import { UsageError } from './flags.js';
import { PARSER_FLAGS_USAGE, readParserCommand } from './parser-flags.js';
import {
  type ComparableResult,
  comparableResult,
  differenceKind,
  withKnownErrorCode,
} from '../fuzz/compare.js';
import { HIDDEN_ERROR_CODE, llhttpOracle } from '../fuzz/llhttp-oracle.js';
import { parseMessages } from '../parser/parse-messages.js';
import type { ParserKind } from '../parser/types.js';

const USAGE = `usage: httpwire diff [--request|--response] [--method M]... [--lenient FLAG]... DIR

Runs every file in DIR through httpwire's parser and through the llhttp
bundled in Node (an internal binding), and prints the files they read
differently: accept or reject, error code and offset, message fields or
bytes consumed. A file ending in .req is a request stream, .res a response
stream; other files need --request or --response. Exit status: 0 they
agree on every file, 1 a disagreement, 2 a usage error.

${PARSER_FLAGS_USAGE}  --help                 show this help
`;

function kindOf(name: string, flag: ParserKind | null): ParserKind | null {
  if (name.endsWith('.req')) return 'request';
  if (name.endsWith('.res')) return 'response';
  return flag;
}

function summary(r: ComparableResult): string {
  const error = r.error === null ? 'no error' : `${r.error.code} at ${r.error.offset}`;
  return `${r.messages.length} messages, ${error}, consumed ${r.consumed}`;
}

async function run(argv: string[]): Promise<number> {
  const flags = readParserCommand(argv, USAGE);
  if (flags === null) return 0;
  const { kind, options } = flags;
  if (flags.positionals.length !== 1) throw new UsageError('diff takes one directory');
  const dir = flags.positionals[0]!;
  const names = await readdir(dir).catch((err: Error) => {
    throw new UsageError(`cannot read ${dir}: ${err.message}`);
  });
  let compared = 0;
  let differ = 0;
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (!(await stat(path)).isFile()) continue;
    const fileKind = kindOf(name, kind);
    if (fileKind === null) {
      process.stdout.write(`skip ${name}: not .req or .res (give --request or --response)\n`);
      continue;
    }
    const input = await readFile(path);
    const ours = comparableResult(parseMessages(fileKind, input, options));
    const oracle = comparableResult(llhttpOracle(fileKind, input, options));
    const theirs = withKnownErrorCode(oracle, ours, HIDDEN_ERROR_CODE);
    compared++;
    const difference = differenceKind(ours, theirs);
    if (difference === null) continue;
    differ++;
    process.stdout.write(
      `${name}: ${difference}\n  httpwire: ${summary(ours)}\n  llhttp:   ${summary(theirs)}\n`,
    );
  }
  process.stdout.write(`${compared} files compared, ${differ} disagreements\n`);
  return differ > 0 ? 1 : 0;
}

/** diffCommand: `httpwire diff`. */
export const diffCommand: Command = {
  name: 'diff',
  summary: "run a corpus through httpwire's parser and Node's llhttp; print disagreements",
  usage: USAGE,
  run,
};
