/** Printable ASCII shows as itself; everything else as an escape. */
function escapeByte(b: number): string {
  if (b === 0x0d) return '\\r';
  if (b === 0x0a) return '\\n';
  if (b === 0x09) return '\\t';
  if (b === 0x5c) return '\\\\';
  if (b >= 0x20 && b < 0x7f) return String.fromCharCode(b);
  return '\\x' + b.toString(16).padStart(2, '0');
}

/** escapeBytes shows bytes as one line of text: printable ASCII as is, the rest escaped (`\r`, `\x00`). */
export function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += escapeByte(b);
  return out;
}

/** How many bytes of context the caret display shows on each side. */
const CONTEXT = 40;

/**
 * caretLines returns two lines: the bytes around `offset` (from the start of
 * its line, at most CONTEXT bytes back, to its LF or CONTEXT bytes on),
 * escaped, and a caret under the byte at `offset` (past the end at EOF).
 */
export function caretLines(input: Uint8Array, offset: number, indent: string): string {
  let start = offset;
  while (start > 0 && offset - start < CONTEXT && input[start - 1] !== 0x0a) start--;
  let end = offset;
  while (end < input.length && end - offset < CONTEXT && input[end] !== 0x0a) end++;
  if (end < input.length && input[end] === 0x0a) end++;
  const before = escapeBytes(input.subarray(start, offset));
  const shown = escapeBytes(input.subarray(start, end));
  return `${indent}${shown}\n${indent}${' '.repeat(before.length)}^\n`;
}
