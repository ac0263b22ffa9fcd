export type { Sink } from '../message/write-body.js';
export { type ChunkedReaderOptions, newChunkedReader } from './chunked-reader.js';
export { type ChunkedWriter, newChunkedWriter } from './chunked-writer.js';
export { type DumpOptions, dumpRequest, dumpRequestOut, dumpResponse } from './dump.js';
