/**
 * The conformance corpus format: markdown files in llhttp's style, read into
 * cases, and the event log that a `ParseResult` is written as.
 *
 * A case is a `##` or `###` heading naming it, an optional
 * `<!-- meta={...} -->` comment, an ```` ```http ```` block holding the input
 * and a ```` ```log ```` block holding the expected log.
 *
 * Input rules, stated again at the top of every corpus file:
 * - every line of the `http` block ends in CR LF (`\r\n`), the last line too;
 * - with meta `"noCRLF": true` every line ends in a bare LF (`\n`) instead;
 * - a line ending in a single `\` ends with no line break at all;
 * - the escapes `\r`, `\n`, `\t`, `\0`, `\\` and `\xHH` stand for one byte each;
 *   any other byte is taken literally (the block is latin1: keep it ASCII).
 *
 * Log lines, in this order, then the next message:
 * - `message N: METHOD 'url' HTTP/M.m keep-alive=0|1 upgrade=0|1` (requests) or
 *   `message N: HTTP/M.m STATUS 'text' keep-alive=0|1 upgrade=0|1` (responses);
 * - `header 'name': 'value'` for each header, in wire order;
 * - `body 'bytes'` when the body is not empty;
 * - `trailer 'name': 'value'` for each trailer, in wire order;
 * then, after every message, `error CODE at OFFSET 'reason'` when parsing
 * stopped on an error, and `consumed N` last. Quoted strings use the escapes
 * above, with `\'` for a quote. The error's code and offset must match; the
 * reason (llhttp's wording) is documentation only and is not compared.
 */
import type { ParsedMessage, ParseResult, ParserKind } from '../../src/parser/types.js';

/** CaseMeta: the options a case may give in its `<!-- meta={...} -->` comment. */
export interface CaseMeta {
  /** Overrides the kind implied by the corpus folder (`request/` or `response/`). */
  type?: ParserKind;
  /** Names of `LENIENT_FLAGS` to enable; default none (strict). */
  lenient?: string[];
  /** Passed as `requestMethod` to the parser (responses). */
  requestMethod?: string | string[];
  /** Passed as `maxHeaderBytes` to the parser. */
  maxHeaderBytes?: number;
  /** Lines of the `http` block end in LF instead of CR LF. */
  noCRLF?: boolean;
  /** Why the expected log deliberately differs from Node's llhttp 9.3.1. */
  differs?: string;
}

/** CorpusCase: one case read from a corpus file. */
export interface CorpusCase {
  file: string;
  /** 1-based line of the case's heading. */
  line: number;
  name: string;
  kind: ParserKind;
  meta: CaseMeta;
  input: Uint8Array;
  /** The `log` block, one entry per line. */
  expected: string[];
}

const META_PREFIX = '<!-- meta=';
const META_SUFFIX = '-->';
const META_KEYS = new Set([
  'type',
  'lenient',
  'requestMethod',
  'maxHeaderBytes',
  'noCRLF',
  'differs',
]);

/**
 * readCorpus reads every case of one markdown file. It throws, naming
 * `file:line`, on a case without both blocks, an unknown meta key or a bad
 * escape, so that a malformed corpus fails loudly instead of testing nothing.
 */
export function readCorpus(text: string, file: string, kind: ParserKind): CorpusCase[] {
  const lines = text.split('\n');
  const cases: CorpusCase[] = [];
  let current: Omit<CorpusCase, 'input' | 'expected'> & {
    input?: Uint8Array;
    expected?: string[];
  } = { file, line: 0, name: '', kind, meta: {} };
  const where = (i: number) => `${file}:${i + 1}`;
  const close = (i: number) => {
    if (current.line === 0) return;
    if (current.input === undefined || current.expected === undefined) {
      throw new Error(
        `${where(current.line - 1)}: case '${current.name}' needs an http and a log block (before line ${i + 1})`,
      );
    }
    if (cases.some((c) => c.name === current.name)) {
      throw new Error(`${where(current.line - 1)}: duplicate case name '${current.name}'`);
    }
    cases.push({ ...current, input: current.input, expected: current.expected });
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const heading = /^#{2,3} +(.+?) *$/.exec(line);
    if (heading) {
      close(i);
      current = { file, line: i + 1, name: heading[1]!, kind, meta: {} };
      continue;
    }
    if (line.startsWith(META_PREFIX) && line.endsWith(META_SUFFIX)) {
      if (current.line === 0) throw new Error(`${where(i)}: meta outside a case`);
      current.meta = parseMeta(line.slice(META_PREFIX.length, -META_SUFFIX.length), where(i));
      if (current.meta.type) current.kind = current.meta.type;
      continue;
    }
    const fence = /^```(http|log)$/.exec(line);
    if (!fence) continue;
    if (current.line === 0) throw new Error(`${where(i)}: block outside a case`);
    const body: string[] = [];
    const start = i;
    for (i++; i < lines.length && lines[i]!.replace(/\r$/, '') !== '```'; i++) {
      body.push(lines[i]!.replace(/\r$/, ''));
    }
    if (i >= lines.length) throw new Error(`${where(start)}: unterminated block`);
    if (fence[1] === 'http') {
      current.input = decodeInput(body, current.meta.noCRLF === true, where(start));
    } else {
      current.expected = body;
    }
  }
  close(lines.length);
  return cases;
}

function parseMeta(json: string, where: string): CaseMeta {
  let meta: unknown;
  try {
    meta = JSON.parse(json);
  } catch (err) {
    throw new Error(`${where}: bad meta JSON: ${(err as Error).message}`);
  }
  if (typeof meta !== 'object' || meta === null)
    throw new Error(`${where}: meta must be an object`);
  for (const key of Object.keys(meta)) {
    if (!META_KEYS.has(key)) throw new Error(`${where}: unknown meta key '${key}'`);
  }
  return meta as CaseMeta;
}

/** decodeInput turns the lines of an `http` block into bytes by the rules above. */
export function decodeInput(lines: string[], noCRLF: boolean, where: string): Uint8Array {
  const bytes: number[] = [];
  for (const line of lines) {
    let end = line.length;
    let lineBreak = true;
    if (endsWithLoneBackslash(line)) {
      end--;
      lineBreak = false;
    }
    for (let j = 0; j < end; j++) {
      const c = line.charCodeAt(j);
      if (c > 0xff) throw new Error(`${where}: non-latin1 character in input`);
      if (c !== 0x5c) {
        bytes.push(c);
        continue;
      }
      const e = line[++j];
      if (e === 'r') bytes.push(0x0d);
      else if (e === 'n') bytes.push(0x0a);
      else if (e === 't') bytes.push(0x09);
      else if (e === '0') bytes.push(0x00);
      else if (e === '\\') bytes.push(0x5c);
      else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(j + 1, j + 3))) {
        bytes.push(Number.parseInt(line.slice(j + 1, j + 3), 16));
        j += 2;
      } else throw new Error(`${where}: bad escape '\\${e ?? ''}' in '${line}'`);
    }
    if (lineBreak) {
      if (!noCRLF) bytes.push(0x0d);
      bytes.push(0x0a);
    }
  }
  return Uint8Array.from(bytes);
}

function endsWithLoneBackslash(line: string): boolean {
  let n = 0;
  for (let j = line.length - 1; j >= 0 && line[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

/** formatResult writes a `ParseResult` as log lines (see the top of this file). */
export function formatResult(result: ParseResult): string[] {
  const log: string[] = [];
  result.messages.forEach((m, i) => {
    log.push(
      `message ${i}: ${startLine(m)} keep-alive=${+m.shouldKeepAlive} upgrade=${+m.upgrade}`,
    );
    for (const [name, value] of m.headers) log.push(`header ${quote(name)}: ${quote(value)}`);
    if (m.body.length > 0) log.push(`body ${quote(latin1(m.body))}`);
    for (const [name, value] of m.trailers) log.push(`trailer ${quote(name)}: ${quote(value)}`);
  });
  const err = result.error;
  if (err) log.push(`error ${err.code} at ${err.offset} ${quote(err.reason)}`);
  log.push(`consumed ${result.consumed}`);
  return log;
}

/** comparable drops what the corpus does not compare (an error's reason). */
export function comparable(log: string[]): string[] {
  return log.map((line) => /^(error \S+ at \d+)( .*)?$/.exec(line)?.[1] ?? line);
}

function startLine(m: ParsedMessage): string {
  const version = `HTTP/${m.versionMajor}.${m.versionMinor}`;
  if (m.method !== null) return `${m.method} ${quote(m.url ?? '')} ${version}`;
  return `${version} ${m.status} ${quote(m.statusText ?? '')}`;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

const NAMED_ESCAPES: Record<string, string> = {
  '\r': '\\r',
  '\n': '\\n',
  '\t': '\\t',
  '\0': '\\0',
  '\\': '\\\\',
  "'": "\\'",
};

/** quote writes a latin1 string in single quotes with the corpus escapes. */
export function quote(s: string): string {
  let out = "'";
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (NAMED_ESCAPES[ch]) out += NAMED_ESCAPES[ch];
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}
