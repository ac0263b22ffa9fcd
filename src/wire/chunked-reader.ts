import { ParseError } from '../errors.js';
import { Parser } from '../parser/parser.js';
import type { ParserOptions } from '../parser/types.js';

/** The head that puts the parser at the start of a chunked body. */
const PREFIX = Buffer.from('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n', 'latin1');

/** ChunkedReaderOptions: the parser options that apply to a chunked body. */
export type ChunkedReaderOptions = Pick<ParserOptions, 'lenient' | 'maxChunkExtensionBytes'>;

function atBodyOffset(err: unknown): unknown {
  if (!(err instanceof ParseError)) return err;
  return new ParseError(err.code, err.reason, Math.max(err.offset - PREFIX.length, 0));
}

/**
 * newChunkedReader decodes the chunked coding (RFC 9112 §7.1) of the bytes
 * of `source` (Go's httputil.NewChunkedReader) and yields the chunk data.
 * It ends after the last-chunk line `0\r\n` (extensions allowed), leaving
 * trailer fields and the final CRLF unread, as Go does; the source's
 * iterator is then closed. The framing is checked by httpwire's parser,
 * strict unless `options.lenient` says otherwise: malformed framing throws
 * its `ParseError` (`HPE_INVALID_CHUNK_SIZE`, `HPE_STRICT`,
 * `HPE_CR_EXPECTED`, ...) with `offset` counted from the first byte of the
 * source, and a source that ends before the last chunk throws
 * `HPE_INVALID_EOF_STATE`. The source is read only as fast as the
 * consumer pulls; yielded views may alias the source's chunks.
 */
export async function* newChunkedReader(
  source: AsyncIterable<Uint8Array>,
  options: ChunkedReaderOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  let parts: Uint8Array[] = [];
  let done = false;
  const parser = new Parser(
    'request',
    {
      onBody(chunk) {
        parts.push(chunk);
      },
      onChunkHeader(size) {
        if (size !== 0) return;
        done = true;
        parser.pause();
      },
    },
    options,
  );
  parser.execute(PREFIX);
  for await (const chunk of source) {
    try {
      parser.execute(chunk);
    } catch (err) {
      throw atBodyOffset(err);
    }
    const ready = parts;
    parts = [];
    for (const part of ready) yield part;
    if (done) return;
  }
  try {
    parser.finish();
  } catch (err) {
    throw atBodyOffset(err);
  }
}
