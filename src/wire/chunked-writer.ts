import { ProtocolError } from '../errors.js';
import { CRLF, chunkHeader } from '../message/chunked.js';
import { drained, type Sink } from '../message/write-body.js';

/** ChunkedWriter writes the chunked coding of what it is given; see `newChunkedWriter`. */
export interface ChunkedWriter {
  /**
   * write sends `data` (a string is UTF-8) as one chunk; empty data writes
   * nothing, since a zero-size chunk would end the body. It resolves once
   * the sink took it, after 'drain' when the sink asked to wait, and
   * rejects with `ERR_SOCKET_CLOSED` if the sink closes first.
   */
  write(data: Uint8Array | string): Promise<void>;
  /**
   * close writes the last-chunk line `0\r\n` and nothing more, as Go's
   * chunked writer: the caller writes any trailer fields and the final CRLF.
   * The sink itself stays open. A second close does nothing.
   */
  close(): Promise<void>;
}

/** LAST_CHUNK: the last-chunk line without trailers or the final CRLF (Go's chunkedWriter.Close). */
const LAST_CHUNK = Buffer.from('0\r\n', 'latin1');

/**
 * newChunkedWriter returns a writer of the chunked coding (RFC 9112 §7.1)
 * to `sink` (Go's httputil.NewChunkedWriter), for code that frames bodies
 * itself. Each `write` is one chunk, sized in lower-case hex without
 * extensions. A write after `close` rejects with `ERR_BODY_ENDED`.
 */
export function newChunkedWriter(sink: Sink): ChunkedWriter {
  let closed = false;
  const settle = (ok: boolean): Promise<void> => (ok ? Promise.resolve() : drained(sink));
  return {
    write(data) {
      if (closed) {
        return Promise.reject(new ProtocolError('ERR_BODY_ENDED', 'write after close'));
      }
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      if (bytes.byteLength === 0) return Promise.resolve();
      sink.write(chunkHeader(bytes.byteLength));
      sink.write(bytes);
      return settle(sink.write(CRLF));
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return settle(sink.write(LAST_CHUNK));
    },
  };
}
