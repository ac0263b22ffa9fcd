import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrAbortHandler } from '../../src/errors.js';
import { cleanup, head, rawClient } from './harness.js';

afterEach(cleanup);

/** The bytes of an error answer written by the server before it closes. */
function errorAnswer(status: string, detail: string): string {
  const body = `${status}${detail === '' ? '' : `: ${detail}`}\n`;
  return (
    `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Connection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`
  );
}

const never = () => {
  throw new Error('the handler must not run');
};

describe('Server answers bad requests and closes the connection', () => {
  it('answers a malformed header with 400 naming the llhttp code', async () => {
    const { client } = await rawClient(never);
    await client.write('GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n');
    await client.clientEnded();
    expect(client.received().toString('latin1')).toBe(
      errorAnswer('400 Bad Request', 'HPE_INVALID_HEADER_TOKEN'),
    );
  });

  it('answers a head larger than maxHeaderBytes with 431', async () => {
    const { client } = await rawClient(never, { maxHeaderBytes: 1024 });
    await client.write(`GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'b'.repeat(2000)}\r\n\r\n`);
    await client.clientEnded();
    expect(client.received().toString('latin1')).toBe(
      errorAnswer('431 Request Header Fields Too Large', 'HPE_HEADER_OVERFLOW'),
    );
  });

  it('answers a transfer coding it does not implement with 501', async () => {
    const { client } = await rawClient(never);
    await client.write('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n');
    await client.clientEnded();
    expect(client.received().toString('latin1')).toBe(
      errorAnswer('501 Not Implemented', 'ERR_UNSUPPORTED_TRANSFER_ENCODING'),
    );
  });

  it('answers an HTTP/2.0 request line with 505', async () => {
    const { client } = await rawClient(never);
    await client.write('GET / HTTP/2.0\r\nHost: a\r\n\r\n');
    await client.clientEnded();
    expect(client.received().toString('latin1')).toBe(
      errorAnswer('505 HTTP Version Not Supported', 'unsupported protocol version'),
    );
  });

  it('answers Content-Length with Transfer-Encoding with 400, not 501 (RFC 9112 §6.3)', async () => {
    const { client } = await rawClient(never);
    await client.write(
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    await client.clientEnded();
    expect(client.received().toString('latin1')).toBe(
      errorAnswer('400 Bad Request', 'HPE_INVALID_TRANSFER_ENCODING'),
    );
  });

  it('answers a version llhttp rejects (HTTP/1.9) with 505', async () => {
    const { client } = await rawClient(never);
    await client.write('GET / HTTP/1.9\r\nHost: a\r\n\r\n');
    await client.clientEnded();
    expect(client.received().toString('latin1')).toBe(
      errorAnswer('505 HTTP Version Not Supported', 'HPE_INVALID_VERSION'),
    );
  });

  it('answers an unknown expectation with 417 (RFC 9110 §10.1.1)', async () => {
    const { client } = await rawClient(never);
    await client.write('PUT / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\nx');
    await client.clientEnded();
    expect(client.received().toString('latin1')).toBe(
      errorAnswer('417 Expectation Failed', 'unsupported Expect'),
    );
  });

  it('answers pipelined good requests before the bad one', async () => {
    const { client } = await rawClient(async (rw, req) => {
      await rw.write(req.url.path);
    });
    await client.write(
      'GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\nBad\r\n\r\n',
    );
    await client.clientEnded();
    expect(head(client.received())).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 3\r\n\r\n/ok' +
        errorAnswer('400 Bad Request', 'HPE_INVALID_HEADER_TOKEN'),
    );
  });
});

describe('Server with failing handlers', () => {
  it('answers 500 and closes when the handler throws before anything went out', async () => {
    const { client, logs } = await rawClient(async (rw) => {
      rw.header().set('X-Partial', 'dropped');
      await rw.write('dropped too');
      throw new Error('boom');
    });
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await client.clientEnded();
    expect(head(client.received())).toBe(
      'HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        'X-Content-Type-Options: nosniff\r\nDate: <date>\r\nConnection: close\r\n' +
        'Content-Length: 26\r\n\r\n500 Internal Server Error\n',
    );
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('handler error serving 127.0.0.1:');
    expect(logs[0]).toContain('boom');
  });

  it('answers 500 to a synchronous throw too', async () => {
    const { client } = await rawClient(() => {
      throw new Error('sync boom');
    });
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(head(await client.waitFor('Error\n'))).toContain('HTTP/1.1 500 Internal Server Error');
  });

  it('aborts the connection, leaving the chunked body unterminated, when the handler throws after the head', async () => {
    const { client, logs } = await rawClient(async (rw) => {
      await rw.flush();
      await rw.write('partial');
      throw new Error('late boom');
    });
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n');
    await client.clientEnded();
    expect(head(client.received())).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nTransfer-Encoding: chunked\r\n\r\n7\r\npartial\r\n',
    );
    expect(logs.join()).toContain('late boom');
  });

  it('resets (RST, not FIN) an HTTP/1.0 connection whose body is delimited by close when the handler throws', async () => {
    const { client, socket } = await rawClient(async (rw) => {
      await rw.flush();
      await rw.write('partial');
      throw new Error('late boom');
    });
    const reset = vi.spyOn(socket, 'resetAndDestroy');
    const end = vi.spyOn(socket, 'end');
    await client.write('GET / HTTP/1.0\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('close', resolve));
    expect(reset).toHaveBeenCalledOnce();
    expect(end).not.toHaveBeenCalled();
  });

  it('aborts silently for ErrAbortHandler even before the head (ReverseProxy)', async () => {
    const { client, logs } = await rawClient(() => {
      throw ErrAbortHandler;
    });
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await client.clientEnded();
    expect(client.received().length).toBe(0);
    expect(logs).toEqual([]);
  });

  it('gives the handler the parse error of a bad request body and closes after its answer', async () => {
    let seen: unknown = null;
    let reading!: () => void;
    const started = new Promise<void>((resolve) => {
      reading = resolve;
    });
    const { client } = await rawClient(async (rw, req) => {
      const text = req.body!.text();
      reading();
      seen = await text.catch((err: unknown) => err);
      rw.writeHeader(400);
    });
    await client.write(
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n',
    );
    await started;
    await client.write('zz\r\n');
    await client.clientEnded();
    expect(seen).toMatchObject({ code: 'HPE_INVALID_CHUNK_SIZE' });
    expect(head(client.received())).toBe(
      'HTTP/1.1 400 Bad Request\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
  });
});
