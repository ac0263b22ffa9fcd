import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { LENIENT_FLAGS } from '../../src/parser/index.js';
import { newChunkedReader, newChunkedWriter } from '../../src/wire/index.js';
import { MemorySink } from '../../src/wire/memory-sink.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');

async function* pieces(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield latin1(part);
}

async function readAll(source: AsyncIterable<Uint8Array>, lenient = 0): Promise<string> {
  let out = '';
  for await (const chunk of newChunkedReader(source, { lenient })) {
    out += Buffer.from(chunk).toString('latin1');
  }
  return out;
}

async function failure(source: AsyncIterable<Uint8Array>): Promise<ParseError> {
  try {
    await readAll(source);
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('newChunkedWriter', () => {
  it('writes chunks and a bare last chunk on close (chunked_test.go TestChunk)', async () => {
    const sink = new MemorySink();
    const w = newChunkedWriter(sink);
    await w.write('hello, ');
    await w.write('world! 0123456789abcdef');
    await w.close();
    const wire = Buffer.from(sink.bytes()).toString('latin1');
    expect(wire).toBe('7\r\nhello, \r\n17\r\nworld! 0123456789abcdef\r\n0\r\n');
    expect(await readAll(pieces(wire))).toBe('hello, world! 0123456789abcdef');
  });

  it('writes nothing for an empty write (chunked_test.go TestChunkReaderAllocs shape)', async () => {
    const sink = new MemorySink();
    const w = newChunkedWriter(sink);
    await w.write(new Uint8Array(0));
    await w.close();
    await w.close();
    expect(Buffer.from(sink.bytes()).toString('latin1')).toBe('0\r\n');
    await expect(w.write('x')).rejects.toMatchObject({ code: 'ERR_BODY_ENDED' });
  });

  it('waits for drain when the sink asks for it', async () => {
    const sink = new PassThrough({ highWaterMark: 8 });
    const w = newChunkedWriter(sink);
    let done = false;
    const pending = w.write('x'.repeat(64)).then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    sink.read();
    await pending;
    expect(done).toBe(true);
  });
});

describe('newChunkedReader', () => {
  it('reads chunks split anywhere (chunked_test.go TestChunkReadMultiple)', async () => {
    const wire = '3\r\nfoo\r\n3\r\nbar\r\n0\r\n';
    for (let cut = 0; cut <= wire.length; cut++) {
      expect(await readAll(pieces(wire.slice(0, cut), wire.slice(cut)))).toBe('foobar');
    }
  });

  it('stops at the last chunk, leaving the trailers unread (chunked_test.go)', async () => {
    let pulled = 0;
    async function* source() {
      for (const part of ['1\r\nx\r\n0\r\n', 'Trailer: 1\r\n\r\n', 'garbage']) {
        pulled++;
        yield latin1(part);
      }
    }
    expect(await readAll(source())).toBe('x');
    expect(pulled).toBe(1);
  });

  it('accepts chunk extensions (chunked_test.go TestChunkReaderWithExtensions shape)', async () => {
    expect(await readAll(pieces('3;ext=1;e2="q"\r\nabc\r\n0;last\r\n'))).toBe('abc');
  });

  it('rejects a size line without CRLF (chunked_test.go TestChunkInvalidInputs)', async () => {
    expect((await failure(pieces('3 \r\nabc\r\n0\r\n'))).code).toBe('HPE_INVALID_CHUNK_SIZE');
    expect((await failure(pieces('3\nabc\r\n0\r\n'))).code).toBe('HPE_CR_EXPECTED');
  });

  it('rejects a chunk size that overflows (chunked_test.go TestChunkReaderTooMuchOverhead shape)', async () => {
    const err = await failure(pieces('fffffffffffffffff\r\n'));
    expect(err.code).toBe('HPE_INVALID_CHUNK_SIZE');
  });

  it('rejects data longer than its size with offsets from the source start', async () => {
    const err = await failure(pieces('3\r\nabcd\r\n0\r\n'));
    expect(err.code).toBe('HPE_STRICT');
    expect(err.offset).toBe(6);
  });

  it('rejects a source that ends before the last chunk (chunked_test.go TestIncompleteChunk)', async () => {
    expect((await failure(pieces('3\r\nfo'))).code).toBe('HPE_INVALID_EOF_STATE');
  });

  it('applies lenient flags', async () => {
    const wire = pieces('3 \r\nabc\r\n0\r\n');
    expect(await readAll(wire, LENIENT_FLAGS.SPACES_AFTER_CHUNK_SIZE)).toBe('abc');
  });

  it('pulls the source only as fast as the consumer reads', async () => {
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield latin1('1\r\nx\r\n');
      }
      yield latin1('0\r\n');
    }
    const reader = newChunkedReader(source());
    await reader.next();
    await reader.next();
    expect(pulled).toBe(2);
    await reader.return();
  });
});
