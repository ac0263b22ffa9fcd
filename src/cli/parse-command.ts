/**
 * `httpwire parse [--response] [--method M]... [--lenient FLAG]... [FILE|-]...`
 * parses each input with httpwire's strict parser and prints its messages,
 * or the error with its code, reason and a caret under the offending byte.
 */
import type { Command } from './command.js';
import { UsageError } from './flags.js';
import { PARSER_FLAGS_USAGE, readInput, readParserCommand } from './parser-flags.js';
import { caretLines, escapeBytes } from './wire-text.js';
import { parseMessages } from '../parser/parse-messages.js';
import type { ParsedMessage, ParseResult } from '../parser/types.js';

const USAGE = `usage: httpwire parse [--response] [--method M]... [--lenient FLAG]... [FILE|-]...

Parses each FILE (standard input when none or -) as a stream of HTTP/1.1
messages and prints them: start line, headers in order, body length and a
preview, trailers, keep-alive and upgrade; or the error with its code,
reason and a caret under the offending byte. Exit status: 0 all parsed,
1 a parse error, 2 a usage error.

${PARSER_FLAGS_USAGE}  --help                 show this help
`;

/** How many body bytes the preview shows. */
const PREVIEW_BYTES = 64;

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

function startLine(m: ParsedMessage): string {
  const version = `HTTP/${m.versionMajor}.${m.versionMinor}`;
  if (m.method !== null) return `${m.method} ${m.url ?? ''} ${version}`;
  const reason = m.statusText ?? '';
  return `${version} ${m.status ?? 0}${reason === '' ? '' : ` ${reason}`}`;
}

function fieldLines(pairs: readonly [string, string][], indent: string): string {
  return pairs.map(([name, value]) => `${indent}${name}: ${value}\n`).join('');
}

function describeMessage(m: ParsedMessage, n: number): string {
  let out = `message ${n}: ${startLine(m)}\n${fieldLines(m.headers, '  ')}`;
  const preview = escapeBytes(m.body.subarray(0, PREVIEW_BYTES));
  const more = m.body.length > PREVIEW_BYTES ? '...' : '';
  out += `  body: ${m.body.length} bytes${m.body.length > 0 ? ` "${preview}"${more}` : ''}\n`;
  if (m.trailers.length > 0) out += `  trailers:\n${fieldLines(m.trailers, '    ')}`;
  out += `  keep-alive: ${yesNo(m.shouldKeepAlive)}\n  upgrade: ${yesNo(m.upgrade)}\n`;
  return out;
}

/** describeResult is the text `httpwire parse` prints for one input. */
export function describeResult(input: Uint8Array, result: ParseResult): string {
  let out = result.messages.map((m, i) => describeMessage(m, i + 1)).join('');
  const { error, consumed } = result;
  if (error !== null) {
    out += `error ${error.code} at offset ${error.offset}: ${error.reason}\n`;
    return out + caretLines(input, error.offset, '  ');
  }
  if (consumed < input.length)
    out += `tunnel: ${input.length - consumed} bytes after the upgrade\n`;
  return out + `ok: ${result.messages.length} messages, ${consumed} bytes\n`;
}

async function run(argv: string[]): Promise<number> {
  const flags = readParserCommand(argv, USAGE);
  if (flags === null) return 0;
  const { kind, options } = flags;
  const files = flags.positionals.length > 0 ? flags.positionals : ['-'];
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('- given twice');
  let status = 0;
  for (const file of files) {
    let input: Uint8Array;
    try {
      input = await readInput(file);
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
    }
    const result = parseMessages(kind ?? 'request', input, options);
    const title = files.length > 1 ? `==> ${file} <==\n` : '';
    process.stdout.write(title + describeResult(input, result));
    if (result.error !== null) status = 1;
  }
  return status;
}

/** parseCommand: `httpwire parse`. */
export const parseCommand: Command = {
  name: 'parse',
  summary: 'parse HTTP/1.1 messages from files or stdin and print them or the error',
  usage: USAGE,
  run,
};
