/**
 * A backend answering before the request body is over — a 413 to an
 * upload too large for it — and then closing or resetting the connection
 * while the proxy is still sending the body. The proxy must relay the
 * early answer, not turn it into a 502, whenever its bytes reached the
 * proxy before the connection broke.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessages } from '../../src/parser/index.js';
import { cleanup, rawClientOf, startProxy, startRawBackend } from '../e2e/e2e-harness.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { within } from '../helpers/waiting.js';
import { upload } from './uploading.js';

afterEach(cleanup);

const UPLOAD = 64 << 20;
const TOO_LARGE =
  'HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 9\r\n\r\ntoo large';

/** uploadThroughProxy sends a 64 MiB PUT through `proxy` and resolves with what came back once the proxy closed. */
async function uploadThroughProxy(proxy: Awaited<ReturnType<typeof startProxy>>) {
  const client = await rawClientOf(proxy);
  await client.write(`PUT /upload HTTP/1.1\r\nHost: faults\r\nContent-Length: ${UPLOAD}\r\n\r\n`);
  const sent = await within(upload(client.socket, UPLOAD), 10_000);
  await within(client.clientEnded(), 2000);
  const { messages, error } = parseMessages('response', client.received());
  return {
    sent,
    error,
    answers: messages.map((m) => `${m.status} ${Buffer.from(m.body).toString('latin1')}`),
  };
}

describe('ReverseProxy with a backend answering an upload early', () => {
  it('relays a 413 sent while the body is still coming, when the backend then closes (FIN)', () =>
    expectNoLeaks(async () => {
      const backend = await startRawBackend(async (peer) => {
        await peer.waitFor('\r\n\r\n');
        await peer.end(TOO_LARGE);
      });
      const proxy = await startProxy(backend.origin);
      const { sent, error, answers } = await uploadThroughProxy(proxy);
      expect({ error, answers }).toEqual({ error: null, answers: ['413 too large'] });
      expect(sent).toBeLessThan(UPLOAD); // the proxy closed the client connection after the answer
      await cleanup();
    }));

  it('answers 413 or 502, never anything else, when the reset comes the instant after the 413 (RFC 9112 §9.6)', () =>
    // The reset may reach the proxy in the same event-loop turn as the 413:
    // if a body write fails first, Node destroys the socket and the 413
    // still in the kernel is lost (the "TCP reset problem" that servers
    // avoid by closing in stages). Either way the client gets an answer.
    expectNoLeaks(async () => {
      const backend = await startRawBackend(async (peer) => {
        await peer.waitFor('\r\n\r\n');
        await peer.write(TOO_LARGE);
        peer.reset();
      });
      const proxy = await startProxy(backend.origin);
      for (let i = 0; i < 5; i++) {
        const { error, answers } = await uploadThroughProxy(proxy);
        expect(error).toBeNull();
        expect(
          answers.length === 1 && ['413 too large', '502 '].includes(answers[0]!),
          String(answers),
        ).toBe(true);
      }
      await cleanup();
    }));
});
