/**
 * Clients that abuse a Server rather than break off: a slowloris sending
 * one byte per second, a flood of 10 000 pipelined requests in one write,
 * and a 1 GiB upload to a handler that never reads it. The server must cut
 * the slow one off at its header timeout, answer the flood in order while
 * reading no further ahead than it can answer, and answer the upload
 * without reading or buffering it — and afterwards every socket, timer and
 * listener is gone (test/helpers/leaks.ts).
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Parser, parseMessages } from '../../src/parser/index.js';
import { newSingleHostReverseProxy } from '../../src/proxy/reverse-proxy.js';
import { cleanup, onCleanup, startNodeBackend, startProxy } from '../e2e/e2e-harness.js';
import { expectNoLeaks, watchMemory } from '../helpers/leaks.js';
import { connectTo } from '../helpers/raw-peer.js';
import { within } from '../helpers/waiting.js';
import { serve } from './served.js';
import { upload } from './uploading.js';

afterEach(cleanup);

const KiB = 1 << 10;
const MiB = 1 << 20;
const GiB = 1 << 30;

/** collect gathers what arrives on `socket`; `closed` resolves with it once the socket closed. */
function collect(socket: Socket): { received(): Buffer; closed: Promise<Buffer> } {
  const parts: Buffer[] = [];
  socket.on('data', (part: Buffer) => parts.push(part));
  const received = () => Buffer.concat(parts);
  return { received, closed: once(socket, 'close').then(received) };
}

describe('A slowloris client', () => {
  it('sending one byte per second gets 408 once the 1.5 s header timeout passes, and is closed; the backend sees nothing', () =>
    expectNoLeaks(async () => {
      const backend = await startNodeBackend((_req, res) => res.end('never'));
      const proxy = newSingleHostReverseProxy(backend.origin, { errorLog: () => undefined });
      onCleanup(() => proxy.close());
      const { port, closed } = await serve(proxy, { headerTimeout: 1500 });
      const client = await connectTo(port);
      const { closed: answered } = collect(client);
      const request = 'GET /slow HTTP/1.1\r\nHost: faults\r\n\r\n';
      let sent = 0;
      const drip = () => {
        if (client.writable) client.write(request[sent++]!);
      };
      drip();
      const dripping = setInterval(drip, 1000);
      try {
        const received = await within(answered, 8000);
        expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      } finally {
        clearInterval(dripping);
      }
      expect(sent).toBeLessThan(request.length / 2); // cut off long before its head could be complete
      expect(backend.sockets).toEqual([]);
      await closed();
      await cleanup();
    }));
});

describe('A flood of 10 000 pipelined requests in one write', () => {
  const COUNT = 10_000;
  const BODY = 8 * KiB; // 80 MiB of answers: more than the socket buffers hold
  const filler = Buffer.alloc(BODY, 0x2e);
  const PAD = 'p'.repeat(100);
  const request = (i: number) => `GET /p/${i} HTTP/1.1\r\nHost: faults\r\nX-Pad: ${PAD}\r\n\r\n`;
  const requests = Array.from({ length: COUNT }, (_, i) => request(i)).join(''); // 1.4 MB
  /** lengthOf is the length of the first `n` requests. */
  const lengthOf = (n: number) => requests.indexOf(request(n));

  it('is answered in order, while the server reads no further ahead than it can answer', () =>
    expectNoLeaks(async () => {
      let handled = 0;
      const { port, accepted, closed } = await serve(async (rw, req) => {
        handled++;
        const path = req.url.path;
        rw.header().set('Content-Length', String(BODY));
        await rw.write(path);
        await rw.write(filler.subarray(path.length));
      });
      const client = await connectTo(port);
      client.pause(); // read nothing yet: the server must stop at full socket buffers
      const memory = watchMemory();
      client.write(requests, 'latin1');

      // The server stops once its answers fill the socket buffers, having
      // read no further than the requests it answered plus its read-ahead
      // (64 KiB) and what the socket stream reads before a pause takes
      // effect (its high-water mark and a read or two of 64 KiB).
      const stalled = await readingStops(() => accepted[0]?.bytesRead ?? 0);
      expect(stalled).toBeLessThan(requests.length / 2);
      expect(stalled - lengthOf(handled)).toBeLessThanOrEqual(256 * KiB);

      const answers = readAnswers(client, COUNT);
      client.resume();
      const { count, outOfOrder } = await within(answers, 20_000);
      const peak = memory.stop();
      expect({ count, outOfOrder }).toEqual({ count: COUNT, outOfOrder: [] });
      expect(handled).toBe(COUNT);
      expect(peak.heapUsed + peak.arrayBuffers).toBeLessThan(64 * MiB);
      client.destroy();
      await closed();
      await cleanup();
    }));

  it('is answered in order through the proxy, over one backend connection', () =>
    expectNoLeaks(async () => {
      const backend = await startNodeBackend((req, res) => res.end(req.url));
      const proxy = await startProxy(backend.origin);
      const client = await connectTo(proxy.port);
      const answers = readAnswers(client, COUNT);
      client.write(requests, 'latin1');
      expect(await within(answers, 25_000)).toEqual({ count: COUNT, outOfOrder: [] });
      expect(backend.sockets).toHaveLength(1);
      client.destroy();
      await cleanup();
    }));

  /** readingStops resolves with `bytesRead()` once it stayed the same for 200 ms; it rejects after 5 s. */
  async function readingStops(bytesRead: () => number): Promise<number> {
    const deadline = Date.now() + 5000;
    let last = -1;
    while (Date.now() < deadline) {
      const now = bytesRead();
      if (now === last && now > 0) return now;
      last = now;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the server was still reading after 5 s (${last} bytes)`);
  }

  /** readAnswers parses `count` responses as they arrive, checking that answer i names `/p/i`. */
  function readAnswers(
    socket: Socket,
    count: number,
  ): Promise<{ count: number; outOfOrder: string[] }> {
    return new Promise((resolve, reject) => {
      let seen = 0;
      let first = ''; // the start of the current body, enough to hold its path
      const outOfOrder: string[] = [];
      const parser = new Parser('response', {
        onBody(chunk) {
          if (first.length < 16) first += Buffer.from(chunk.subarray(0, 16)).toString('latin1');
        },
        onMessageComplete() {
          const expected = `/p/${seen}`;
          const got = first.slice(0, expected.length);
          if (got !== expected && outOfOrder.length < 10) outOfOrder.push(`#${seen}: ${got}`);
          first = '';
          if (++seen === count) resolve({ count: seen, outOfOrder });
        },
      });
      socket.on('data', (chunk: Buffer) => {
        try {
          parser.execute(chunk);
        } catch (err) {
          reject(err as Error);
        }
      });
      socket.on('close', () => reject(new Error(`closed after ${seen} answers`)));
    });
  }
});

describe('A 1 GiB upload to a handler that never reads it', () => {
  it('is answered at once and the connection closed, without the body being read or buffered', () =>
    expectNoLeaks(async () => {
      const { port, accepted, closed } = await serve(async (rw) => {
        rw.header().set('Content-Length', '2');
        await rw.write('ok');
      });
      const client = await connectTo(port);
      const { closed: answered } = collect(client);
      const memory = watchMemory();
      client.write(`POST /upload HTTP/1.1\r\nHost: faults\r\nContent-Length: ${GiB}\r\n\r\n`);
      const sent = await within(upload(client, GiB), 20_000);
      const received = await within(answered, 2000);
      const peak = memory.stop();
      const { messages, error } = parseMessages('response', received);
      expect(error).toBeNull();
      expect(messages.map((m) => [m.status, Buffer.from(m.body).toString()])).toEqual([
        [200, 'ok'],
      ]);
      expect(new Map(messages[0]!.headers).get('Connection')).toBe('close');
      // The server closed rather than reading it all (it discards what arrives while it lingers).
      expect(sent).toBeLessThan(GiB);
      expect(accepted[0]!.bytesRead).toBeLessThan(64 * MiB);
      expect(peak.heapUsed + peak.arrayBuffers).toBeLessThan(100 * MiB);
      expect(peak.rss).toBeLessThan(100 * MiB);
      await closed();
      await cleanup();
    }));
});
