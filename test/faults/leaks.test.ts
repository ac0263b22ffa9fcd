/**
 * The leak check the fault tests rely on (test/helpers/leaks.ts) must be
 * able to fail: each kind of leftover it watches is left behind once here.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { expectNoLeaks } from '../helpers/leaks.js';
import { connectTo } from '../helpers/raw-peer.js';
import { rejection } from '../helpers/waiting.js';

const FAST = { timeoutMs: 100 };

async function listening(): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('expectNoLeaks', () => {
  it('passes a scenario that closes every socket and clears every timer it made', () =>
    expectNoLeaks(async () => {
      const server = await listening();
      const socket = await connectTo((server.address() as { port: number }).port);
      const timer = setTimeout(() => undefined, 60_000).unref();
      clearTimeout(timer);
      socket.destroy();
      await closeServer(server);
    }));

  it('reports a server left listening, and its file descriptor', async () => {
    let server: Server | undefined;
    const err = await rejection(
      expectNoLeaks(async () => {
        server = await listening();
        server.unref(); // unref'd handles are counted too
      }, FAST),
    );
    await closeServer(server!);
    expect(String(err)).toMatch(/fds: \d+ -> \d+/);
  });

  it("reports an unref'd timer still pending, with where it was set", async () => {
    let timer: NodeJS.Timeout | undefined;
    const err = await rejection(
      expectNoLeaks(async () => {
        timer = setTimeout(() => undefined, 60_000).unref();
      }, FAST),
    );
    clearTimeout(timer);
    expect(String(err)).toMatch(/1 timer\(s\) still pending, set at:[\s\S]*leaks\.test\.ts/);
  });

  it('reports a process listener left behind', async () => {
    const listener = () => undefined;
    const err = await rejection(
      expectNoLeaks(async () => {
        process.on('warning', listener);
      }, FAST),
    );
    process.off('warning', listener);
    expect(String(err)).toMatch(/process 'warning' listeners: \d+ -> \d+/);
  });

  it('reports heap and ArrayBuffer memory kept past the margin', async () => {
    let kept: unknown[] = [];
    const err = await rejection(
      expectNoLeaks(async () => {
        kept = [Buffer.alloc(16 << 20, 1), Array.from({ length: 1 << 21 }, (_, i) => ({ i }))];
      }, FAST),
    );
    expect(kept).toHaveLength(2);
    kept = [];
    expect(String(err)).toMatch(/heap [\d.]+ MiB -> [\d.]+ MiB after GC/);
    expect(String(err)).toMatch(/ArrayBuffers [\d.]+ MiB -> [\d.]+ MiB after GC/);
  });
});
