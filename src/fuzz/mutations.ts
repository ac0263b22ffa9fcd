import type { Arbitrary } from 'fast-check';
import { fc } from './fast-check.js';
import { latin1Bytes, latin1Text } from './latin1.js';

/**
 * Edit: one edit of a serialized message stream. Positions are taken
 * modulo the length (or the line count) when the edit is applied, so any
 * list of edits applies to any input; `crlf` counts CRLFs.
 */
export type Edit =
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert-line'; line: number; text: string }
  | { op: 'replace-line'; line: number; text: string }
  | { op: 'duplicate-line'; line: number }
  | { op: 'swap-lines'; line: number; other: number }
  | { op: 'replace-crlf'; crlf: number; text: string };

/** Mutation: an edit with the name of the trick that chose it, so a failure says which trick found it. */
export type Mutation = Edit & { trick: Trick };

/** Bytes that separate or delimit things in HTTP/1.1 framing. */
const DELIMITERS = ['\r', '\n', '\r\n', ' ', '\t', '\0', '\r\n\r\n', ':', ';', ',', '"', '=', '\\'];
const ODD_BYTES = ['\x7f', '\x80', '\xff', '\x0b', '\x0c', '\x01'];

const FRAMING_NAMES = [
  'Content-Length',
  'content-length',
  'Transfer-Encoding',
  'transfer-encoding',
  'Connection',
  'Proxy-Connection',
  'Upgrade',
];
// prettier-ignore
const FRAMING_VALUES = [
  '0', '1', '3', '10', '-1', '+3', '03', ' 3', '3 ', '1,1', '3, 3', '0x3', '3.0', '',
  '99999999999999999999', '18446744073709551615', '18446744073709551616',
  'chunked', 'Chunked', 'gzip, chunked', 'chunked, gzip', 'chunked,', 'identity', 'gzip',
  'chunked, chunked', 'close', 'keep-alive', 'upgrade', 'Upgrade, close', 'websocket',
];

/** A header line built to upset framing: duplicated or conflicting CL/TE, space before the colon. */
const framingLine = fc
  .tuple(
    fc.constantFrom(...FRAMING_NAMES),
    fc.constantFrom('', '', ' ', '\t'),
    fc.constantFrom('', ' ', '\t', '  '),
    fc.constantFrom(...FRAMING_VALUES),
  )
  .map(([name, beforeColon, afterColon, value]) => `${name}${beforeColon}:${afterColon}${value}`);

/** Chunk-size lines: leading zeros, huge hex, signs, spaces, extensions. */
// prettier-ignore
const chunkSizeLine = fc.constantFrom(
  '0', '00', '0003', '3', 'A', 'a', '+3', '-3', ' 3', '3 ', '3\t', '3 ;a', '3;', '3;a', '3;a=b',
  '3;a="b"', '3;a="b', '3;a=', '3;=b', 'ffffffffffffffff', 'FFFFFFFFFFFFFFFFF',
  '10000000000000000', '0x3', 'g', '3\0', '', '0;last', '1', '2',
);

/** Start lines, whole or broken, to put where a message or a header is expected. */
// prettier-ignore
const startLine = fc.constantFrom(
  'GET / HTTP/1.1', 'GET / HTTP/1.0', 'HTTP/1.1 200 OK', 'HTTP/1.0 200 OK', 'HTTP/1.1 100 Continue',
  'HTTP/1.1 101 Switching Protocols', 'HTTP/2.0 200 OK', 'GET  / HTTP/1.1', 'GET / HTTP/1.1 ',
  'get / HTTP/1.1', 'HTTP/1.1 2000 OK', 'HTTP/1.1 20 OK', 'CONNECT a:1 HTTP/1.1', 'PRI * HTTP/2.0',
);

/** obs-fold continuation lines and other whitespace-led lines. */
const foldLine = fc.constantFrom(' folded', '\tfolded', ' ', '\t', ' Content-Length: 3');

const position = fc.nat();
const lineOf = (text: Arbitrary<string>) => fc.record({ line: position, text });
const atLine = (text: Arbitrary<string>): Arbitrary<Edit> =>
  fc.oneof(
    lineOf(text).map(({ line, text }) => ({ op: 'insert-line' as const, line, text })),
    lineOf(text).map(({ line, text }) => ({ op: 'replace-line' as const, line, text })),
  );
const header = (names: readonly string[], values: readonly string[]) =>
  fc
    .tuple(fc.constantFrom(...names), fc.constantFrom('', ' ', '\t'), fc.constantFrom(...values))
    .map(([name, space, value]) => `${name}:${space}${value}`);
const insertAnywhere = (texts: readonly string[]): Arbitrary<Edit> =>
  fc.record({ op: fc.constant('insert' as const), at: position, text: fc.constantFrom(...texts) });

// prettier-ignore
const LENGTHS = [
  '0', '1', '3', '10', '-1', '+3', '03', '1,1', '3, 3', '0x3', '3.0', '', '3 3',
  '99999999999999999999', '18446744073709551615', '18446744073709551616',
];
// prettier-ignore
const CODINGS = [
  'chunked', 'Chunked', 'gzip, chunked', 'chunked, gzip', 'chunked,', 'identity', 'gzip',
  'chunked, chunked', ' chunked', 'xchunked', 'chunked;q=1', '"chunked"', 'chunked\x0b',
];
const CL = ['Content-Length', 'content-length', 'CONTENT-LENGTH'];
const TE = ['Transfer-Encoding', 'transfer-encoding', 'TRANSFER-ENCODING'];

/**
 * The tricks, each an arbitrary of mutations that carry its name: framing
 * headers (CL/TE variants, duplicate and signed lengths, both at once),
 * connection headers, whitespace before the colon, chunk-size tricks,
 * line-terminator and whitespace tricks, obs-fold, bare CR/LF, start lines
 * where a header is expected, and blind byte edits.
 */
const TRICKS = {
  'content-length-variant': atLine(header(CL, LENGTHS)),
  'duplicate-content-length': atLine(header(CL, ['0', '1', '3', '5'])),
  'transfer-encoding-variant': atLine(header(TE, CODINGS)),
  'content-length-with-transfer-encoding': atLine(
    fc.oneof(header(CL, ['0', '3', '5']), header(TE, ['chunked'])),
  ),
  'connection-variant': atLine(
    header(['Connection', 'Proxy-Connection', 'Upgrade'], FRAMING_VALUES),
  ),
  'space-before-colon': atLine(framingLine),
  'chunk-size': atLine(chunkSizeLine),
  'line-terminator': fc.record({
    op: fc.constant('replace-crlf' as const),
    crlf: position,
    text: fc.constantFrom('\n', '\r', '\r\r\n', '\n\r', '\r\n\r\n', ''),
  }),
  whitespace: insertAnywhere([' ', '\t', '  ', '\x0b', '\x0c', '\0']),
  'obs-fold': atLine(foldLine),
  'bare-cr-lf': insertAnywhere(['\r', '\n']),
  'start-line': atLine(startLine),
  'odd-byte': fc.oneof(
    fc.record({ op: fc.constant('set' as const), at: position, byte: fc.nat(255) }),
    insertAnywhere([...DELIMITERS, ...ODD_BYTES]),
  ),
  'cut-bytes': fc.oneof(
    fc.record({
      op: fc.constant('delete' as const),
      at: position,
      length: fc.integer({ min: 1, max: 4 }),
    }),
    fc.record({ op: fc.constant('truncate' as const), at: position }),
  ),
  'shuffle-lines': fc.oneof(
    fc.record({ op: fc.constant('duplicate-line' as const), line: position }),
    fc.record({ op: fc.constant('swap-lines' as const), line: position, other: position }),
  ),
} satisfies Record<string, Arbitrary<Edit>>;

/** Trick: the name of one kind of mutation (a key of `smugglingMutations`). */
export type Trick = keyof typeof TRICKS;

function named(trick: Trick, edits: Arbitrary<Edit>): Arbitrary<Mutation> {
  return edits.map((edit) => ({ trick, ...edit }));
}

/**
 * smugglingMutations maps each trick's name to an arbitrary of mutations
 * (edits of a serialized stream, see `applyMutation`) aimed at message
 * framing, as request-smuggling and response-splitting attacks use them.
 * Every mutation carries its `trick`, so a failing property names the trick.
 */
export const smugglingMutations: Readonly<Record<Trick, Arbitrary<Mutation>>> = Object.freeze(
  Object.fromEntries(
    (Object.keys(TRICKS) as Trick[]).map((trick) => [trick, named(trick, TRICKS[trick])]),
  ) as Record<Trick, Arbitrary<Mutation>>,
);

/** mutationArbitrary: a mutation from one of `tricks` (default all of them), each trick equally likely. */
export function mutationArbitrary(
  tricks: readonly Trick[] = Object.keys(TRICKS) as Trick[],
): Arbitrary<Mutation> {
  return fc.oneof(...tricks.map((trick) => smugglingMutations[trick]));
}

/** Lines of `text`, each with its CRLF (the last one may lack it). */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let end = text.indexOf('\r\n'); end !== -1; end = text.indexOf('\r\n', start)) {
    lines.push(text.slice(start, end + 2));
    start = end + 2;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

function editLines(text: string, edit: (lines: string[]) => void): string {
  const lines = splitLines(text);
  edit(lines);
  return lines.join('');
}

/**
 * applyMutation returns `text` (latin1, one char per byte) with one edit
 * applied; positions wrap around, so it never fails.
 */
export function applyMutation(text: string, m: Edit): string {
  const at = (n: number) => n % (text.length + 1);
  switch (m.op) {
    case 'set':
      return text.slice(0, at(m.at)) + String.fromCharCode(m.byte) + text.slice(at(m.at) + 1);
    case 'insert':
      return text.slice(0, at(m.at)) + m.text + text.slice(at(m.at));
    case 'delete':
      return text.slice(0, at(m.at)) + text.slice(at(m.at) + m.length);
    case 'truncate':
      return text.slice(0, at(m.at));
    case 'insert-line':
      return editLines(text, (lines) =>
        lines.splice(m.line % (lines.length + 1), 0, `${m.text}\r\n`),
      );
    case 'replace-line':
      return editLines(text, (lines) => {
        if (lines.length > 0) lines[m.line % lines.length] = `${m.text}\r\n`;
      });
    case 'duplicate-line':
      return editLines(text, (lines) => {
        if (lines.length > 0) lines.splice(m.line % lines.length, 0, lines[m.line % lines.length]!);
      });
    case 'swap-lines':
      return editLines(text, (lines) => {
        if (lines.length === 0) return;
        const a = m.line % lines.length;
        const b = m.other % lines.length;
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      });
    case 'replace-crlf':
      return replaceCrlf(text, m.crlf, m.text);
  }
}

/** replaceCrlf replaces CRLF number `n` (modulo their count) with `text`. */
function replaceCrlf(text: string, n: number, replacement: string): string {
  const ends: number[] = [];
  for (let i = text.indexOf('\r\n'); i !== -1; i = text.indexOf('\r\n', i + 2)) ends.push(i);
  if (ends.length === 0) return text;
  const at = ends[n % ends.length]!;
  return text.slice(0, at) + replacement + text.slice(at + 2);
}

/** mutateBytes returns `bytes` with `mutations` applied in order. */
export function mutateBytes(bytes: Uint8Array, mutations: readonly Edit[]): Uint8Array {
  return latin1Bytes(mutations.reduce(applyMutation, latin1Text(bytes)));
}
