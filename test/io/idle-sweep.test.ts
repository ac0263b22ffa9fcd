/**
 * IdleSweep over real sockets: a silent connection is closed between its
 * period and a quarter more; one that keeps moving bytes is not; watching
 * stops cleanly.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { IdleSweep } from '../../src/io/idle-sweep.js';
import { socketPair } from '../helpers/raw-peer.js';
import { deferred, within } from '../helpers/waiting.js';

const open: Socket[] = [];
afterEach(() => {
  for (const socket of open.splice(0)) socket.destroy();
});

/** pair returns both ends of a loopback TCP connection, destroyed after the test. */
async function pair(): Promise<{ client: Socket; server: Socket }> {
  const ends = await socketPair();
  open.push(ends.client, ends.server);
  return ends;
}

describe('IdleSweep', () => {
  it('calls onIdle once a socket moved nothing for the period, within a quarter more', async () => {
    const { server } = await pair();
    const idle = deferred<number>();
    const started = performance.now();
    IdleSweep.of(200).watch(server, () => idle.resolve(performance.now() - started));
    const after = await within(idle.promise, 2000);
    expect(after).toBeGreaterThanOrEqual(190);
    expect(after).toBeLessThan(400);
  });

  it('keeps a socket that reads or writes a byte within each period', async () => {
    const { client, server } = await pair();
    let idled = false;
    const unwatch = IdleSweep.of(120).watch(server, () => (idled = true));
    server.on('data', () => undefined);
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 60));
      if (i % 2 === 0)
        client.write('x'); // read by the watched side
      else server.write('y'); // written by it
    }
    expect(idled).toBe(false);
    unwatch();
    await new Promise((r) => setTimeout(r, 250));
    expect(idled).toBe(false); // unwatched: never called
  });
});
