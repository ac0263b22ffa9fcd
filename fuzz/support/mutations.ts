import fc from 'fast-check';

/**
 * Mutation: one edit of a serialized message stream. Positions are taken
 * modulo the length at the time the edit is applied, so any list of
 * mutations applies to any input.
 */
export type Mutation =
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert-line'; line: number; text: string }
  | { op: 'replace-line'; line: number; text: string }
  | { op: 'duplicate-line'; line: number }
  | { op: 'swap-lines'; line: number; other: number };

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

const line = fc.oneof(framingLine, chunkSizeLine, startLine, foldLine);
const position = fc.nat();
const byteText = fc.constantFrom(...DELIMITERS, ...ODD_BYTES);

/** mutation: one random edit, weighted towards framing-level damage. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set'), at: position, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert'), at: position, text: byteText }),
  fc.record({ op: fc.constant('delete'), at: position, length: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant('truncate'), at: position }),
  fc.record({ op: fc.constant('insert-line'), line: position, text: line }),
  fc.record({ op: fc.constant('replace-line'), line: position, text: line }),
  fc.record({ op: fc.constant('duplicate-line'), line: position }),
  fc.record({ op: fc.constant('swap-lines'), line: position, other: position }),
) as fc.Arbitrary<Mutation>;

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

/** applyMutation returns `text` with one edit applied. */
export function applyMutation(text: string, m: Mutation): string {
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
  }
}
