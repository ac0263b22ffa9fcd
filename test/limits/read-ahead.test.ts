import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { responsesIn } from '../helpers/responses.js';
import { within } from '../helpers/waiting.js';
import { cleanup, rawClient } from '../server/harness.js';

afterEach(cleanup);

/** One pipelined request per index, all of the same length, so the bytes consumed after `k` requests are known. */
function request(index: number): string {
  return `GET /${String(index).padStart(5, '0')} HTTP/1.1\r\nHost: a\r\nX-Pad: ${'p'.repeat(60)}\r\n\r\n`;
}

/** endsWith resolves once the bytes received on `socket` end with `text` (checked per chunk, without copying them all). */
function endsWith(socket: Socket, text: string): Promise<void> {
  return new Promise((resolve) => {
    let tail = '';
    const onData = (chunk: Buffer) => {
      tail = (tail + chunk.toString('latin1')).slice(-text.length);
      if (tail !== text) return;
      socket.off('data', onData);
      resolve();
    };
    socket.on('data', onData);
  });
}

describe('Server read-ahead of pipelined requests', () => {
  it('answers 10 000 requests sent in one write in order, buffering at most readAhead plus one socket chunk', async () => {
    const COUNT = 10_000;
    const READ_AHEAD = 16 * 1024;
    const SOCKET_CHUNK = 64 * 1024; // the most a socket hands over per read
    const size = request(0).length;
    let answered = 0;
    let maxBuffered = 0;
    let sawPaused = false;
    const { client, socket } = await rawClient(
      async (rw, req) => {
        // Every request up to this one is consumed, nothing after it: the
        // rest of what the socket received waits in the server's buffers.
        answered++;
        const buffered = socket.bytesRead - socket.readableLength - answered * size;
        maxBuffered = Math.max(maxBuffered, buffered);
        sawPaused ||= socket.isPaused();
        await rw.write(req.url.path.slice(1));
      },
      // No per-request timers: the harness records a stack for each one made, 20 000 here.
      { readAhead: READ_AHEAD, headerTimeout: 0, idleTimeout: 0 },
    );
    let all = '';
    for (let i = 0; i < COUNT; i++) all += request(i);
    expect(all.length).toBeGreaterThan(10 * (READ_AHEAD + SOCKET_CHUNK)); // far more than may be held
    const last = `\r\n\r\n${String(COUNT - 1).padStart(5, '0')}`;
    const answeredAll = endsWith(client.socket, last);
    await Promise.all([client.write(all), within(answeredAll, 20_000)]);
    const bodies = responsesIn(client.received()).map((res) => res.text);
    expect(bodies).toEqual(Array.from({ length: COUNT }, (_, i) => String(i).padStart(5, '0')));
    expect(sawPaused).toBe(true);
    expect(maxBuffered).toBeLessThanOrEqual(READ_AHEAD + SOCKET_CHUNK);
  });
});
