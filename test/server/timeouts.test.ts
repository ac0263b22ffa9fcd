import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, head, rawClient, sleep } from './harness.js';

afterEach(cleanup);

const REQUEST_TIMEOUT =
  'HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n' +
  'Connection: close\r\nContent-Length: 20\r\n\r\n408 Request Timeout\n';

const hello = async (rw: { write(s: string): Promise<void> }) => {
  await rw.write('hi');
};

describe('Server timeouts', () => {
  it('answers 408 to a slowloris client sending one byte every 50 ms (headerTimeout)', async () => {
    const { client, served } = await rawClient(hello, { headerTimeout: 300 });
    const started = Date.now();
    const request = 'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ' + 'z'.repeat(100);
    let sent = 0;
    const drip = (async () => {
      for (const byte of request) {
        if (client.socket.destroyed || client.socket.readableEnded) return;
        await client.write(byte);
        sent++;
        await sleep(50);
      }
    })();
    await client.clientEnded();
    const elapsed = Date.now() - started;
    await drip;
    expect(client.received().toString('latin1')).toBe(REQUEST_TIMEOUT);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1500);
    expect(sent).toBeLessThan(request.length);
    await served;
  });

  it('closes a new connection that sends nothing, without an answer', async () => {
    const { client, served } = await rawClient(hello, { headerTimeout: 150 });
    await client.clientEnded();
    await served;
    expect(client.received().length).toBe(0);
  });

  it('closes a kept-alive connection after idleTimeout without an answer', async () => {
    const { client, served } = await rawClient(hello, { idleTimeout: 150 });
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await client.waitFor('hi');
    const answered = Date.now();
    await client.clientEnded();
    expect(Date.now() - answered).toBeGreaterThanOrEqual(140);
    expect(head(client.received())).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 2\r\n\r\nhi',
    );
    await served;
  });

  it('times the next head from its first byte, not from the end of the last response', async () => {
    const { client } = await rawClient(hello, { idleTimeout: 300, headerTimeout: 300 });
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await client.waitFor('hi');
    await sleep(200);
    await client.write('GET /2 HTTP/1.1\r\n'); // the idle timer would fire 100 ms from here
    const begun = Date.now();
    await client.clientEnded();
    expect(Date.now() - begun).toBeGreaterThanOrEqual(250);
    expect(head(client.received())).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 2\r\n\r\nhi' + REQUEST_TIMEOUT,
    );
  });

  it('closes the connection when a request body stalls longer than bodyTimeout', async () => {
    let bodyError: unknown = null;
    const { client, logs } = await rawClient(
      async (rw, req) => {
        bodyError = await req.body!.text().catch((err: unknown) => err);
        await rw.write('late').catch(() => undefined);
      },
      { bodyTimeout: 200 },
    );
    await client.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc');
    await client.clientEnded();
    expect(client.received().length).toBe(0);
    expect(bodyError).toMatchObject({ code: 'ERR_BODY_TIMEOUT' });
    expect(logs).toEqual([`request body from 127.0.0.1:${client.socket.localPort} timed out`]);
  });

  it('keeps a body that trickles in faster than bodyTimeout', async () => {
    const { client } = await rawClient(
      async (rw, req) => {
        await rw.write(await req.body!.text());
      },
      { bodyTimeout: 200 },
    );
    await client.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\n');
    for (const byte of 'trickled') {
      await sleep(60);
      await client.write(byte);
    }
    expect(head(await client.waitFor('trickled', 3000))).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 8\r\n\r\ntrickled',
    );
  });

  it('does not time out a slow handler once the body has arrived', async () => {
    const { client } = await rawClient(
      async (rw, req) => {
        const body = await req.body!.text();
        await sleep(300);
        await rw.write(body);
      },
      { bodyTimeout: 100, headerTimeout: 100, idleTimeout: 100 },
    );
    await client.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nslow');
    expect(head(await client.waitFor('slow', 3000))).toContain('\r\n\r\nslow');
  });
});
