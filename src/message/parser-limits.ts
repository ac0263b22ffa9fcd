/** The parser limits of a connection, with their defaults (docs/limits.md). */
import type { ParserOptions } from '../parser/types.js';
import type { MessageReaderOptions } from './message-reader.js';

/** Default `maxHeaderBytes` of a connection: Node's is 16 KiB, Go's 1 MiB. */
export const DEFAULT_MAX_HEADER_BYTES = 65536;
/** Default `maxHeaderCount` of a connection (Apache's LimitRequestFields is 100, Node drops fields past 2000). */
const DEFAULT_MAX_HEADER_COUNT = 256;
/** Default `maxRequestLineBytes` of a connection, nginx's (large_client_header_buffers 8k). */
const DEFAULT_MAX_REQUEST_LINE_BYTES = 8192;
/** Default `maxChunkExtensionBytes` of a connection, Node's (CVE-2024-22019). */
const DEFAULT_MAX_CHUNK_EXTENSION_BYTES = 16384;

/** parserLimits: the Parser options of a connection with `options`, defaults filled in. */
export function parserLimits(options: MessageReaderOptions): ParserOptions {
  return {
    maxHeaderBytes: options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
    maxHeaderCount: options.maxHeaderCount ?? DEFAULT_MAX_HEADER_COUNT,
    maxRequestLineBytes: options.maxRequestLineBytes ?? DEFAULT_MAX_REQUEST_LINE_BYTES,
    maxChunkExtensionBytes: options.maxChunkExtensionBytes ?? DEFAULT_MAX_CHUNK_EXTENSION_BYTES,
    lenient: options.lenient,
  };
}
