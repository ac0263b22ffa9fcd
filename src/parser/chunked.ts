/**
 * Chunked transfer coding (RFC 9112 §7.1): chunk-size lines with their
 * extensions, chunk data and the CRLF after it, as llhttp's `chunk_*` nodes.
 * The trailer section after the last chunk is parsed by header-line.ts.
 */
import { HEX, QDTEXT, QUOTED_PAIR, TOKEN } from './charsets.js';
import { Byte, type Bytes } from './bytes.js';
import { ERROR, FLAGS, LENIENT_FLAGS } from './constants.js';
import { type ParserState, pausedAt, S } from './parser-state.js';

/** chunked runs the chunk-size, extension and chunk-data framing states. */
export function chunked(p: ParserState, data: Bytes, i: number, end: number): number {
  const c = data[i]!;
  switch (p.state) {
    case S.CHUNK_SIZE_START: {
      const d = HEX[c]!;
      if (d < 0) p.fail(ERROR.INVALID_CHUNK_SIZE, 'Invalid character in chunk size', i);
      p.remaining = d;
      p.chunkDigits = d > 0 ? 1 : 0;
      p.state = S.CHUNK_SIZE;
      return i + 1;
    }
    case S.CHUNK_SIZE: {
      const d = HEX[c]!;
      if (d >= 0) {
        if (p.remaining > 0 || d > 0) {
          // unsigned 64-bit, as llhttp's content_length
          if (++p.chunkDigits > 16) {
            p.fail(ERROR.INVALID_CHUNK_SIZE, 'Chunk size overflow', i + 1);
          }
        }
        p.remaining = p.remaining * 16 + d;
        return i + 1;
      }
      return chunkSizeOtherwise(p, c, i);
    }
    case S.CHUNK_SIZE_OTHERWISE:
      return chunkSizeOtherwise(p, c, i);
    case S.CHUNK_EXTENSIONS:
      if (c === Byte.SP || c === Byte.CR) {
        p.fail(ERROR.STRICT, 'Invalid character in chunk extensions', i + 1);
      }
      p.spanStart = i;
      p.state = S.CHUNK_EXTENSION_NAME;
      return i;
    case S.CHUNK_EXTENSION_NAME: {
      while (i < end && TOKEN[data[i]!] === 1) i++;
      if (i >= end) return i;
      const b = data[i]!;
      if (b !== Byte.EQUALS && b !== Byte.SEMICOLON && b !== Byte.CR && b !== Byte.LF) {
        p.fail(ERROR.STRICT, 'Invalid character in chunk extensions name', i + 1);
      }
      const name = p.endSpan(data, i);
      p.cb.onChunkExtensionName?.(name);
      if (b === Byte.EQUALS) {
        p.spanStart = i + 1;
        p.state = S.CHUNK_EXTENSION_VALUE;
        return pausedAt(p, i + 1);
      }
      return afterExtension(p, b, i, 'Missing expected CR after chunk extension name');
    }
    case S.CHUNK_EXTENSION_VALUE: {
      while (i < end && TOKEN[data[i]!] === 1) i++;
      if (i >= end) return i;
      const b = data[i]!;
      if (b === Byte.QUOTE) {
        p.state = S.CHUNK_EXTENSION_QUOTED_VALUE;
        return i + 1;
      }
      if (b !== Byte.SEMICOLON && b !== Byte.CR && b !== Byte.LF) {
        p.fail(ERROR.STRICT, 'Invalid character in chunk extensions value', i + 1);
      }
      const value = p.endSpan(data, i); // closed even without a callback
      p.cb.onChunkExtensionValue?.(value);
      return afterExtension(p, b, i, 'Missing expected CR after chunk extension value');
    }
    case S.CHUNK_EXTENSION_QUOTED_VALUE: {
      while (i < end && QDTEXT[data[i]!] === 1) i++;
      if (i >= end) return i;
      const b = data[i]!;
      if (b === Byte.QUOTE) {
        p.state = S.CHUNK_EXTENSION_QUOTED_VALUE_DONE;
        const value = p.endSpan(data, i + 1); // closed even without a callback
        p.cb.onChunkExtensionValue?.(value);
        return pausedAt(p, i + 1);
      }
      if (b !== Byte.BACKSLASH) {
        p.fail(ERROR.STRICT, 'Invalid character in chunk extensions quoted value', i + 1);
      }
      p.state = S.CHUNK_EXTENSION_QUOTED_VALUE_QUOTED_PAIR;
      return i + 1;
    }
    case S.CHUNK_EXTENSION_QUOTED_VALUE_QUOTED_PAIR:
      if (QUOTED_PAIR[c] !== 1) {
        p.fail(ERROR.STRICT, 'Invalid quoted-pair in chunk extensions quoted value', i + 1);
      }
      p.state = S.CHUNK_EXTENSION_QUOTED_VALUE;
      return i + 1;
    case S.CHUNK_EXTENSION_QUOTED_VALUE_DONE:
      if (c !== Byte.SEMICOLON && c !== Byte.CR && c !== Byte.LF) {
        p.fail(ERROR.STRICT, 'Invalid character in chunk extensions quote value', i);
      }
      return afterExtension(p, c, i, 'Missing expected CR after chunk extension value');
    case S.CHUNK_SIZE_ALMOST_DONE:
      if (c === Byte.LF) return chunkHeader(p, i + 1);
      if (p.hasLenient(LENIENT_FLAGS.OPTIONAL_LF_AFTER_CR)) return chunkHeader(p, i);
      return p.fail(ERROR.STRICT, 'Expected LF after chunk size', i);
    case S.CHUNK_DATA_ALMOST_DONE:
      if (c === Byte.CR) {
        p.state = S.CHUNK_DATA_ALMOST_DONE_LF;
        return i + 1;
      }
      if (c === Byte.LF) {
        if (!p.hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
          p.fail(ERROR.CR_EXPECTED, 'Missing expected CR after chunk data', i + 1);
        }
        return chunkComplete(p, i + 1);
      }
      return missingChunkCrlf(p, i);
    default: // S.CHUNK_DATA_ALMOST_DONE_LF
      if (c === Byte.LF) return chunkComplete(p, i + 1);
      return missingChunkCrlf(p, i);
  }
}

function chunkSizeOtherwise(p: ParserState, c: number, i: number): number {
  if (c === Byte.CR) {
    p.state = S.CHUNK_SIZE_ALMOST_DONE;
    return i + 1;
  }
  if (c === Byte.SEMICOLON) {
    p.state = S.CHUNK_EXTENSIONS;
    if (p.maxChunkExtensionBytes !== Infinity) limitExtensions(p, i);
    return i + 1;
  }
  if (c === Byte.LF) {
    if (!p.hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
      p.fail(ERROR.CR_EXPECTED, 'Missing expected CR after chunk size', i + 1);
    }
    p.state = S.CHUNK_SIZE_ALMOST_DONE;
    return i + 1;
  }
  if ((c === Byte.SP || c === Byte.HTAB) && p.hasLenient(LENIENT_FLAGS.SPACES_AFTER_CHUNK_SIZE)) {
    p.state = S.CHUNK_SIZE_OTHERWISE;
    return i + 1;
  }
  const consumed = c === Byte.SP || c === Byte.HTAB;
  return p.fail(ERROR.INVALID_CHUNK_SIZE, 'Invalid character in chunk size', consumed ? i + 1 : i);
}

/**
 * limitExtensions starts counting the extensions of a chunk-size line, whose
 * `;` is at `i`, against what is left of maxChunkExtensionBytes for the
 * message: the run loop fails at the first byte over it, the line's CR
 * being allowed right after the last byte that fits.
 */
function limitExtensions(p: ParserState, i: number): void {
  p.extensionStart = p.base + i;
  p.inHead = true;
  p.headLimit = p.extensionStart + p.maxChunkExtensionBytes - p.extensionBytes + 1;
}

/** afterExtension: `;`, CR or LF after an extension name or value. */
function afterExtension(p: ParserState, b: number, i: number, lfReason: string): number {
  let next: number;
  if (b === Byte.SEMICOLON) {
    p.state = S.CHUNK_EXTENSIONS;
    next = i + 1;
  } else {
    if (b === Byte.CR) {
      next = i + 1;
    } else {
      if (!p.hasLenient(LENIENT_FLAGS.OPTIONAL_CR_BEFORE_LF)) {
        p.fail(ERROR.CR_EXPECTED, lfReason, i);
      }
      next = i;
    }
    p.state = S.CHUNK_SIZE_ALMOST_DONE;
    if (p.inHead) {
      p.inHead = false; // the line's extensions end here
      p.extensionBytes += p.base + i - p.extensionStart;
    }
  }
  return p.paused ? ~next : next;
}

function missingChunkCrlf(p: ParserState, i: number): number {
  if (p.hasLenient(LENIENT_FLAGS.OPTIONAL_CRLF_AFTER_CHUNK)) return chunkComplete(p, i);
  return p.fail(ERROR.STRICT, 'Expected LF after chunk data', i);
}

/** chunkHeader: a chunk-size line is complete; size 0 starts the trailers. */
function chunkHeader(p: ParserState, i: number): number {
  const size = p.remaining;
  if (size === 0) {
    p.flags |= FLAGS.TRAILING;
    p.inHead = true;
    p.headLimit = p.base + i + p.maxHeaderBytes;
    p.state = S.HEADER_FIELD_START;
  } else {
    p.state = S.CHUNK_DATA;
  }
  p.cb.onChunkHeader?.(size);
  return pausedAt(p, i);
}

function chunkComplete(p: ParserState, i: number): number {
  p.state = S.CHUNK_SIZE_START;
  p.cb.onChunkComplete?.();
  return pausedAt(p, i);
}
