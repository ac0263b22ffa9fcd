import { afterEach, describe, expect, it } from 'vitest';
import { Request } from '../../src/message/request.js';
import { parseMessages } from '../../src/parser/index.js';
import { Transport } from '../../src/transport/transport.js';
import {
  cleanup,
  onCleanup,
  rawClientOf,
  startProxy,
  startRawBackend,
} from '../e2e/e2e-harness.js';
import { fieldLines } from '../helpers/oversized.js';
import { responsesIn } from '../helpers/responses.js';
import { rejection } from '../helpers/waiting.js';

afterEach(cleanup);

/** backendAnswering starts a raw backend that answers each request with `response`. */
function backendAnswering(response: string) {
  return startRawBackend(async (peer) => {
    await peer.waitFor('\r\n\r\n');
    await peer.write(response);
  });
}

describe('Transport and ReverseProxy with a backend over the limits', () => {
  it('rejects a round trip whose response has more than 256 header fields with a ParseError', async () => {
    const backend = await backendAnswering(`HTTP/1.1 200 OK\r\n${fieldLines(300)}\r\n`);
    const transport = new Transport();
    onCleanup(() => transport.close());
    const err = await rejection(transport.roundTrip(new Request('GET', `${backend.origin}/`)));
    expect(err).toMatchObject({ name: 'ParseError', code: 'HPE_HEADER_OVERFLOW' });
  });

  it('answers 502 when the backend response has too many header fields', async () => {
    const backend = await backendAnswering(`HTTP/1.1 200 OK\r\n${fieldLines(300)}\r\n`);
    const proxy = await startProxy(backend.origin);
    const client = await rawClientOf(proxy);
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await client.waitFor((received) => parseMessages('response', received).messages.length === 1);
    expect(responsesIn(client.received()).map((r) => r.status)).toEqual([502]);
    expect(proxy.logs.join('\n')).toContain('HPE_HEADER_OVERFLOW');
  });

  it('answers 502 when the backend response head is larger than maxHeaderBytes', async () => {
    const backend = await backendAnswering(
      `HTTP/1.1 200 OK\r\nX-Big: ${'b'.repeat(70_000)}\r\n\r\n`,
    );
    const proxy = await startProxy(backend.origin);
    const client = await rawClientOf(proxy);
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await client.waitFor((received) => parseMessages('response', received).messages.length === 1);
    expect(responsesIn(client.received()).map((r) => r.status)).toEqual([502]);
  });

  it('cuts the client off, never completing the response, when the backend body has endless chunk extensions', async () => {
    const backend = await startRawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n');
      for (let i = 0; i < 8 && !peer.socket.destroyed; i++) {
        await peer.write(`2;${'e'.repeat(4000)}`).catch(() => undefined); // never a line end
      }
    });
    const proxy = await startProxy(backend.origin);
    const client = await rawClientOf(proxy);
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await client.clientEnded();
    const { messages, error } = parseMessages('response', client.received());
    expect(messages).toEqual([]); // the head went out, the body never ends cleanly
    expect(error).toMatchObject({ code: 'HPE_INVALID_EOF_STATE' });
    expect(proxy.logs.join('\n')).toContain('HPE_CHUNK_EXTENSIONS_OVERFLOW');
  });
});
