import { once } from 'node:events';
import { createServer, type Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SocketReader } from '../../src/io/socket-reader.js';

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A connected pair on 127.0.0.1: `client` writes, `server` is the socket under test. */
async function socketPair(): Promise<{ client: Socket; server: Socket }> {
  const listener = createServer();
  servers.push(listener);
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as { port: number };
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const client = new Socket();
  client.on('error', () => undefined);
  client.connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [server] = await accepted;
  sockets.push(client, server);
  return { client, server };
}

/** Resolves once `test()` holds, re-checking whenever the reader reports something (bounded). */
function until<S extends Socket>(reader: SocketReader<S>, test: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    if (test()) return resolve();
    const timer = setTimeout(() => reject(new Error('condition never held')), 5000);
    reader.onReadable = () => {
      if (!test()) return;
      clearTimeout(timer);
      resolve();
    };
  });
}

/** Takes every queued byte out of `reader` as latin1, chunk by chunk. */
function consumeAll<S extends Socket>(reader: SocketReader<S>): string {
  let out = '';
  for (let chunk = reader.peek(); chunk !== undefined; chunk = reader.peek()) {
    out += chunk.toString('latin1');
    reader.consume(chunk.length);
  }
  return out;
}

/** Waits for the next macrotask, letting pending socket events run. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

function listenerCounts(socket: Socket): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of ['data', 'end', 'error', 'close', 'readable']) {
    counts[event] = socket.listenerCount(event);
  }
  return counts;
}

describe('SocketReader', () => {
  it('keeps the chunks the socket delivers unconcatenated, in order', async () => {
    const { client, server } = await socketPair();
    const reader = new SocketReader(server);
    client.write('first');
    await until(reader, () => reader.queued === 5);
    client.write('second!');
    await until(reader, () => reader.queued === 12);
    const first = reader.peek()!;
    expect(first.toString()).toBe('first');
    reader.consume(first.length);
    expect(reader.peek()!.toString()).toBe('second!');
    expect(reader.queued).toBe(7);
    reader.detach();
  });

  it('consumes part of a chunk and then moves on to the next one', async () => {
    const { client, server } = await socketPair();
    const reader = new SocketReader(server, Buffer.from('abcdef'));
    client.write('ghi');
    await until(reader, () => reader.queued === 9);
    reader.consume(2);
    expect(reader.peek()!.toString()).toBe('cdef');
    expect(reader.queued).toBe(7);
    reader.consume(4);
    expect(reader.peek()!.toString()).toBe('ghi');
    reader.consume(0);
    expect(reader.queued).toBe(3);
    reader.consume(3);
    expect(reader.peek()).toBeUndefined();
    expect(reader.queued).toBe(0);
    reader.detach();
  });

  it('hands out the head given at construction before any socket bytes', async () => {
    const { client, server } = await socketPair();
    const head = Buffer.from('HEAD-');
    const reader = new SocketReader(server, head);
    head.fill(0x21); // the reader keeps its own copy
    client.write('socket');
    await until(reader, () => reader.queued === 11);
    expect(consumeAll(reader)).toBe('HEAD-socket');
    reader.detach();
  });

  it('ignores an empty head', async () => {
    const { server } = await socketPair();
    const reader = new SocketReader(server, new Uint8Array(0));
    expect(reader.peek()).toBeUndefined();
    expect(reader.queued).toBe(0);
    reader.detach();
  });

  it('pauses the socket above the read-ahead bound and resumes it once consumed below', async () => {
    const { client, server } = await socketPair();
    const highWaterMark = 16 * 1024;
    const reader = new SocketReader(server, undefined, { highWaterMark });
    const total = 1024 * 1024;
    client.write(Buffer.alloc(total, 0x61));
    await until(reader, () => reader.queued > highWaterMark);
    expect(server.isPaused()).toBe(true);
    // paused: no more data events, so the bytes held stay bounded by one socket read
    for (let i = 0; i < 10; i++) await tick();
    const held = reader.queued;
    expect(held).toBeLessThanOrEqual(highWaterMark + 64 * 1024);
    expect(server.isPaused()).toBe(true);
    let received = 0;
    while (received < total) {
      const chunk = reader.peek();
      if (chunk === undefined) {
        await until(reader, () => reader.peek() !== undefined);
        continue;
      }
      received += chunk.length;
      reader.consume(chunk.length);
      expect(reader.queued).toBeLessThanOrEqual(highWaterMark + 64 * 1024);
    }
    expect(received).toBe(total);
    expect(server.isPaused()).toBe(false);
    reader.detach();
  });

  it('records the end of input and tells onReadable', async () => {
    const { client, server } = await socketPair();
    const reader = new SocketReader(server);
    expect(reader.ended).toBe(false);
    client.end('bye');
    await until(reader, () => reader.ended);
    expect(reader.error).toBeNull();
    expect(consumeAll(reader)).toBe('bye');
    reader.detach();
  });

  it('records the first socket error and tells onReadable', async () => {
    const { server } = await socketPair();
    const reader = new SocketReader(server);
    const boom = new Error('boom');
    server.destroy(boom);
    await until(reader, () => reader.error !== null);
    expect(reader.error).toBe(boom);
    reader.detach();
  });

  it('detach removes exactly the listeners it added and leaves the socket paused', async () => {
    const { client, server } = await socketPair();
    const mine = () => undefined;
    server.on('data', mine);
    server.on('close', mine);
    const before = listenerCounts(server);
    const reader = new SocketReader(server);
    expect(server.listenerCount('data')).toBe(before.data! + 1);
    client.write('unconsumed');
    await until(reader, () => reader.queued === 10);
    const { socket, head } = reader.detach();
    expect(socket).toBe(server);
    expect(listenerCounts(server)).toEqual(before);
    expect(server.listeners('data')).toContain(mine);
    expect(server.isPaused()).toBe(true);
    expect(head.toString()).toBe('unconsumed');
  });

  it('detach returns the unconsumed rest of every chunk as one Buffer', async () => {
    const { client, server } = await socketPair();
    const reader = new SocketReader(server, Buffer.from('head|'));
    client.write('tail');
    await until(reader, () => reader.queued === 9);
    reader.consume(2);
    const { head } = reader.detach();
    expect(Buffer.isBuffer(head)).toBe(true);
    expect(head.toString()).toBe('ad|tail');
    expect(reader.queued).toBe(0);
    expect(reader.peek()).toBeUndefined();
  });

  it('detach with nothing queued returns an empty head and stops onReadable', async () => {
    const { client, server } = await socketPair();
    const reader = new SocketReader(server);
    let calls = 0;
    reader.onReadable = () => calls++;
    const { head } = reader.detach();
    expect(head.length).toBe(0);
    server.resume();
    client.write('after');
    await once(server, 'data');
    expect(calls).toBe(0);
    expect(reader.queued).toBe(0);
  });

  it('leaves a socket it paused for read-ahead paused after detach', async () => {
    const { client, server } = await socketPair();
    const reader = new SocketReader(server, undefined, { highWaterMark: 4 });
    client.write('0123456789');
    await until(reader, () => reader.queued >= 10);
    expect(server.isPaused()).toBe(true);
    reader.detach();
    expect(server.isPaused()).toBe(true);
  });

  it('resumes a socket handed over paused (a hijacked one), as API.md promises', async () => {
    const { client, server } = await socketPair();
    server.pause();
    expect(server.readableFlowing).toBe(false);
    const reader = new SocketReader(server);
    client.write('after the hand-over');
    await until(reader, () => reader.queued >= 19);
    expect(consumeAll(reader)).toBe('after the hand-over');
  });
});
