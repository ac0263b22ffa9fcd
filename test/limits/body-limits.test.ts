import { afterEach, describe, expect, it } from 'vitest';
import type { Request } from '../../src/message/request.js';
import type { ResponseWriter } from '../../src/server/handler.js';
import { endingOf } from '../helpers/closing.js';
import { responsesIn } from '../helpers/responses.js';
import { started } from '../helpers/started.js';
import { cleanup, rawClient } from '../server/harness.js';

afterEach(cleanup);

const never = () => {
  throw new Error('the handler must not run');
};

/** echo reads the whole body and answers it: a body error reaches the server as the handler's. */
const echo = async (rw: ResponseWriter, req: Request) => {
  await rw.write(await req.body!.text());
};

const chunkedHead = 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n';

describe('Server chunk extension limit', () => {
  it('serves 16 KiB of chunk extensions in a request and answers more with 413 (CVE-2024-22019)', async () => {
    const { client } = await rawClient(echo);
    const ext = (n: number) => ';' + 'e'.repeat(n - 1); // n extension bytes, the `;` included
    // Two lines share the budget of the message: 10000 + 6384 = 16384.
    await client.write(`${chunkedHead}1${ext(10000)}\r\na\r\n1${ext(6384)}\r\nb\r\n0\r\n\r\n`);
    await client.waitFor('ab');
    const ending = endingOf(client.socket);
    await client.write(`${chunkedHead}1${ext(10000)}\r\na\r\n1${ext(6385)}\r\nb\r\n0\r\n\r\n`);
    expect(await ending).toBe('fin');
    const [ok, refused] = responsesIn(client.received());
    expect(ok!.text).toBe('ab');
    expect(refused!.status).toBe(413);
    expect(refused!.text).toBe('413 Request Entity Too Large: HPE_CHUNK_EXTENSIONS_OVERFLOW\n');
  });

  it('answers 413 while an endless chunk extension is still arriving', async () => {
    const s = started(echo);
    const { client, served, logs } = await rawClient(s.handler);
    const ending = endingOf(client.socket);
    await client.write(`${chunkedHead}5`);
    await s.running;
    for (let sent = 0; sent < 64 * 1024 && !client.socket.readableEnded; sent += 4096) {
      await client.write(`;${'x'.repeat(4095)}`); // never a line end
    }
    expect(await ending).toBe('fin');
    expect(responsesIn(client.received()).map((r) => r.status)).toEqual([413]);
    expect(logs).toEqual([]);
    await served;
  });

  it('lets maxChunkExtensionBytes be raised', async () => {
    const { client } = await rawClient(echo, { maxChunkExtensionBytes: 65536 });
    await client.write(`${chunkedHead}1;${'e'.repeat(30000)}\r\na\r\n0\r\n\r\n`);
    await client.waitFor('\r\n\r\na');
    expect(responsesIn(client.received()).map((r) => r.status)).toEqual([200]);
  });
});

describe('Server request body limit (maxRequestBodyBytes)', () => {
  it('has no limit by default', async () => {
    const { client } = await rawClient(async (rw, req) => {
      await rw.write(String((await req.body!.bytes()).length));
    });
    await client.write(`POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 300000\r\n\r\n`);
    await client.write(Buffer.alloc(300000, 'x'));
    await client.waitFor('300000');
  });

  it('answers a Content-Length over the limit with 413 before the handler runs, and closes', async () => {
    const { client, served } = await rawClient(never, { maxRequestBodyBytes: 1000 });
    const ending = endingOf(client.socket);
    // The body is not sent: the answer must not wait for it.
    await client.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n');
    expect(await ending).toBe('fin');
    const [res] = responsesIn(client.received());
    expect(res!.status).toBe(413);
    expect(res!.text).toBe('413 Request Entity Too Large: ERR_BODY_TOO_LARGE\n');
    expect(res!.field('Connection')).toBe('close');
    await served;
  });

  it('answers 413 instead of 100 Continue to an Expect request over the limit', async () => {
    const { client } = await rawClient(never, { maxRequestBodyBytes: 1000 });
    const ending = endingOf(client.socket);
    await client.write(
      'PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n',
    );
    expect(await ending).toBe('fin');
    expect(client.received().toString('latin1')).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('serves a body of exactly the limit', async () => {
    const { client } = await rawClient(echo, { maxRequestBodyBytes: 5 });
    await client.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello');
    await client.write(`${chunkedHead}3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n`);
    await client.waitFor((r) => responsesIn(r).length === 2);
    expect(responsesIn(client.received()).map((r) => r.text)).toEqual(['hello', 'hello']);
  });

  it('fails the read of a chunked body crossing the limit and answers 413 when the handler lets it through', async () => {
    const s = started(echo);
    const { client, logs } = await rawClient(s.handler, { maxRequestBodyBytes: 10 });
    const ending = endingOf(client.socket);
    await client.write(`${chunkedHead}8\r\n12345678\r\n`);
    await s.running;
    await client.write('8\r\n12345678\r\n'); // 16 bytes in all
    expect(await ending).toBe('fin');
    const [res] = responsesIn(client.received());
    expect(res!.status).toBe(413);
    expect(res!.field('Connection')).toBe('close');
    expect(logs).toEqual([]);
  });

  it('answers 413, not 500, for the last request of a connection too (Connection: close)', async () => {
    const s = started(echo);
    const { client } = await rawClient(s.handler, { maxRequestBodyBytes: 10 });
    const ending = endingOf(client.socket);
    await client.write(
      'POST / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '8\r\n12345678\r\n',
    );
    await s.running;
    await client.write('8\r\n12345678\r\n');
    expect(await ending).toBe('fin');
    expect(responsesIn(client.received()).map((r) => r.status)).toEqual([413]);
  });

  it('gives the handler a ProtocolError ERR_BODY_TOO_LARGE and keeps its own answer', async () => {
    let error: unknown = null;
    const s = started(async (rw, req) => {
      error = await req.body!.text().catch((err: unknown) => err);
      rw.writeHeader(422);
    });
    const { client } = await rawClient(s.handler, { maxRequestBodyBytes: 10 });
    const ending = endingOf(client.socket);
    await client.write(`${chunkedHead}8\r\n12345678\r\n`);
    await s.running;
    await client.write('8\r\n12345678\r\n');
    expect(await ending).toBe('fin');
    expect(error).toMatchObject({ name: 'ProtocolError', code: 'ERR_BODY_TOO_LARGE' });
    expect(responsesIn(client.received()).map((r) => r.status)).toEqual([422]);
  });
});
