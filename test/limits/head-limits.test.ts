import { afterEach, describe, expect, it } from 'vitest';
import type { ResponseWriter } from '../../src/server/handler.js';
import type { ServerOptions } from '../../src/server/server.js';
import { endingOf } from '../helpers/closing.js';
import { fieldLines, requestLine } from '../helpers/oversized.js';
import { responsesIn } from '../helpers/responses.js';
import { started } from '../helpers/started.js';
import { cleanup, rawClient } from '../server/harness.js';

afterEach(cleanup);

const never = () => {
  throw new Error('the handler must not run');
};

const hello = async (rw: ResponseWriter) => {
  await rw.write('hi');
};

/**
 * servedThenRefused sends `atLimit` on one connection, expects it answered
 * 200, then sends `over` and returns its answer once the server has ended
 * the connection with a FIN.
 */
async function servedThenRefused(options: ServerOptions, atLimit: string, over: string) {
  const { client } = await rawClient(hello, options);
  await client.write(atLimit);
  await client.waitFor('hi');
  const ending = endingOf(client.socket);
  await client.write(over);
  expect(await ending).toBe('fin');
  const [ok, refused] = responsesIn(client.received());
  expect(ok!.status).toBe(200);
  return refused!;
}

describe('Server head limits', () => {
  it('answers a head over maxHeaderBytes with 431 and a FIN, before the head ends', async () => {
    const { client, served } = await rawClient(never, { maxHeaderBytes: 4096 });
    const ending = endingOf(client.socket);
    // No empty line: the limit alone must end the wait, not the end of the head.
    await client.write(`GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'b'.repeat(8000)}`);
    expect(await ending).toBe('fin');
    const [res] = responsesIn(client.received());
    expect(res!.status).toBe(431);
    expect(res!.text).toBe('431 Request Header Fields Too Large: HPE_HEADER_OVERFLOW\n');
    expect(res!.field('Connection')).toBe('close');
    await served;
  });

  it('serves exactly maxHeaderCount header fields and answers one more with 431', async () => {
    const refused = await servedThenRefused(
      { maxHeaderCount: 10 },
      `GET / HTTP/1.1\r\nHost: a\r\n${fieldLines(9)}\r\n`,
      `GET / HTTP/1.1\r\nHost: a\r\n${fieldLines(10)}\r\n`,
    );
    expect(refused.status).toBe(431);
    expect(refused.text).toBe('431 Request Header Fields Too Large: HPE_HEADER_OVERFLOW\n');
  });

  it('answers more than 256 header fields with 431 by default, which Node would truncate silently', async () => {
    const { client } = await rawClient(never);
    const ending = endingOf(client.socket);
    await client.write(`GET / HTTP/1.1\r\n${fieldLines(257)}\r\n`);
    expect(await ending).toBe('fin');
    expect(responsesIn(client.received()).map((r) => r.status)).toEqual([431]);
  });

  it('serves a request line of exactly maxRequestLineBytes and answers a longer one with 414', async () => {
    const refused = await servedThenRefused(
      { maxRequestLineBytes: 100 },
      `${requestLine(100)}Host: a\r\n\r\n`,
      `${requestLine(101)}Host: a\r\n\r\n`,
    );
    expect(refused.status).toBe(414);
    expect(refused.text).toBe('414 Request URI Too Long: HPE_REQUEST_LINE_OVERFLOW\n');
  });

  it('answers 414 as soon as a request line passes 8 KiB by default, without waiting for its end', async () => {
    const { client, served } = await rawClient(never);
    const ending = endingOf(client.socket);
    await client.write(`GET /${'a'.repeat(9000)}`); // under maxHeaderBytes, no line end yet
    expect(await ending).toBe('fin');
    expect(responsesIn(client.received()).map((r) => r.status)).toEqual([414]);
    await served;
  });

  it('lets the header lines after a short request line use all of maxHeaderBytes', async () => {
    const { client } = await rawClient(hello, { maxRequestLineBytes: 64, maxHeaderBytes: 4096 });
    await client.write(`GET / HTTP/1.1\r\nHost: a\r\nX-Long: ${'v'.repeat(3000)}\r\n\r\n`);
    await client.waitFor('hi');
    expect(responsesIn(client.received()).map((r) => r.status)).toEqual([200]);
  });
});

describe('Server trailer limits', () => {
  const chunkedHead = 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n';

  /** A handler that reads the body and lets its error through, as most handlers do. */
  const reading = () =>
    started(async (rw, req) => {
      await rw.write(await req.body!.text());
    });

  it('answers a trailer section over maxHeaderBytes with 431 when the handler lets the body error through', async () => {
    const s = reading();
    const { client, logs } = await rawClient(s.handler, { maxHeaderBytes: 1024 });
    const ending = endingOf(client.socket);
    await client.write(chunkedHead);
    await s.running;
    await client.write(`0\r\nX-T: ${'t'.repeat(2000)}`);
    expect(await ending).toBe('fin');
    const [res] = responsesIn(client.received());
    expect(res!.status).toBe(431);
    expect(res!.field('Connection')).toBe('close');
    expect(logs).toEqual([]); // the client's fault, not the handler's
  });

  it('answers more trailer fields than maxHeaderCount with 431', async () => {
    const s = reading();
    const { client } = await rawClient(s.handler, { maxHeaderCount: 4 });
    const ending = endingOf(client.socket);
    await client.write(chunkedHead);
    await s.running;
    await client.write(`0\r\n${fieldLines(5)}\r\n`);
    expect(await ending).toBe('fin');
    expect(responsesIn(client.received()).map((r) => r.status)).toEqual([431]);
  });

  it('answers 431 before the handler runs when the trailers arrive with the head', async () => {
    const { client } = await rawClient(never, { maxHeaderCount: 4 });
    const ending = endingOf(client.socket);
    await client.write(`${chunkedHead}0\r\n${fieldLines(5)}\r\n`);
    expect(await ending).toBe('fin');
    expect(responsesIn(client.received()).map((r) => r.status)).toEqual([431]);
  });

  it('fails the body read with the typed error, so a handler can answer it itself', async () => {
    let error: unknown = null;
    const s = started(async (rw, req) => {
      error = await req.body!.text().catch((err: unknown) => err);
      rw.writeHeader(400);
    });
    const { client } = await rawClient(s.handler, { maxHeaderCount: 4 });
    const ending = endingOf(client.socket);
    await client.write(chunkedHead);
    await s.running;
    await client.write(`0\r\n${fieldLines(5)}\r\n`);
    expect(await ending).toBe('fin');
    expect(error).toMatchObject({ code: 'HPE_HEADER_OVERFLOW', reason: 'Too many trailer fields' });
    expect(responsesIn(client.received()).map((r) => r.status)).toEqual([400]);
  });
});
