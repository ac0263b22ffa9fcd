import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Body } from '../../src/message/body.js';
import { Request } from '../../src/message/request.js';
import { Response } from '../../src/message/response.js';
import { writeRequest, writeResponse } from '../../src/message/write-message.js';
import { parseMessages } from '../../src/parser/index.js';

interface Pair {
  client: Socket;
  peer: Socket;
  /** Resolves with every byte the peer received, once the client side ends or the peer closes. */
  received: Promise<Buffer>;
}

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

/** A connected client socket and the server's side of it on 127.0.0.1; the peer starts paused when asked. */
async function socketPair(options: { paused?: boolean } = {}): Promise<Pair> {
  const server = createServer();
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = new Socket();
  client.connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [peer] = await accepted;
  sockets.push(client, peer);
  if (options.paused) peer.pause();
  const received = new Promise<Buffer>((resolve) => {
    const parts: Buffer[] = [];
    peer.on('data', (d: Buffer) => parts.push(d));
    peer.on('error', () => undefined);
    peer.on('end', () => resolve(Buffer.concat(parts)));
    peer.on('close', () => resolve(Buffer.concat(parts)));
  });
  client.on('error', () => undefined);
  return { client, peer, received };
}

/** Deterministic chunks: `count` chunks of `size` bytes, byte i of chunk n is (n + i) & 0xff. */
function pattern(count: number, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let n = 0; n < count; n++) {
    const chunk = new Uint8Array(size);
    for (let i = 0; i < size; i++) chunk[i] = (n + i) & 0xff;
    out.push(chunk);
  }
  return out;
}

function sha(parts: Uint8Array | Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of Array.isArray(parts) ? parts : [parts]) h.update(p);
  return h.digest('hex');
}

describe('writing over a real socket', () => {
  it('honours back-pressure for a large chunked body and the peer parses it whole', async () => {
    const { client, peer, received } = await socketPair({ paused: true });
    const chunks = pattern(256, 65536); // 16 MiB, more than loopback buffers hold
    let maxQueued = 0;
    async function* body() {
      for (const chunk of chunks) {
        maxQueued = Math.max(maxQueued, client.writableLength);
        yield chunk;
      }
    }
    const req = new Request('PUT', 'http://127.0.0.1/upload', { body: body() });
    const writing = writeRequest(client, req);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.writableNeedDrain).toBe(true);
    peer.resume();
    await writing;
    client.end();
    const bytes = await received;
    // Never more than one high-water mark plus one chunk queued in user space.
    expect(maxQueued).toBeLessThanOrEqual(client.writableHighWaterMark + 65536 + 16);
    const { messages, error } = parseMessages('request', bytes);
    expect(error).toBeNull();
    expect(messages).toHaveLength(1);
    expect(messages[0]!.method).toBe('PUT');
    expect(messages[0]!.body.byteLength).toBe(256 * 65536);
    expect(sha(messages[0]!.body)).toBe(sha(chunks));
  });

  it('streams a large known-length response from a Readable', async () => {
    const { client, received } = await socketPair();
    const chunks = pattern(64, 32768);
    const res = new Response(200, {
      body: Readable.from(chunks),
      contentLength: 64 * 32768,
    });
    const encoded = await writeResponse(client, res);
    expect(encoded.framing).toMatchObject({ kind: 'length', length: 64 * 32768 });
    client.end();
    const { messages, error } = parseMessages('response', await received);
    expect(error).toBeNull();
    expect(messages[0]!.status).toBe(200);
    expect(sha(messages[0]!.body)).toBe(sha(chunks));
  });

  it('rejects with the error of a failing body source and leaves the chunked body unterminated', async () => {
    const { client, received } = await socketPair();
    const boom = new Error('disk read failed');
    async function* body() {
      yield Buffer.from('first');
      throw boom;
    }
    await expect(
      writeRequest(client, new Request('POST', 'http://h/', { body: body() })),
    ).rejects.toBe(boom);
    client.end();
    const bytes = await received;
    const text = bytes.toString('latin1');
    expect(text.endsWith('5\r\nfirst\r\n')).toBe(true);
    const { messages, error } = parseMessages('request', bytes);
    expect(messages).toHaveLength(0);
    expect(error?.code).toBe('HPE_INVALID_EOF_STATE');
  });

  it('destroys a failing Readable body and rejects with its error', async () => {
    const { client } = await socketPair();
    const boom = new Error('stream broke');
    const readable = new Readable({
      read() {
        this.destroy(boom);
      },
    });
    const res = new Response(200, { body: readable });
    await expect(writeResponse(client, res)).rejects.toBe(boom);
    expect(readable.destroyed).toBe(true);
  });

  it('rejects instead of hanging when the peer goes away during back-pressure', async () => {
    const { client, peer } = await socketPair({ paused: true });
    async function* body() {
      for (;;) yield new Uint8Array(1 << 20);
    }
    const writing = writeRequest(client, new Request('POST', 'http://h/', { body: body() }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    peer.destroy();
    await expect(writing).rejects.toBeInstanceOf(Error);
  });

  it('forwards an incoming Body with its trailers to the next hop', async () => {
    const { client, received } = await socketPair();
    const body = new Body();
    const res = new Response(200, { body });
    res.trailer = body.trailer;
    body.trailer.set('X-Digest', null);
    const writing = writeResponse(client, res);
    body.push(Buffer.from('part one, '));
    setTimeout(() => {
      body.push(Buffer.from('part two'));
      body.end([['X-Digest', 'abc']]);
    }, 10);
    await writing;
    client.end();
    const { messages, error } = parseMessages('response', await received);
    expect(error).toBeNull();
    expect(Buffer.from(messages[0]!.body).toString()).toBe('part one, part two');
    expect(messages[0]!.headers).toContainEqual(['Trailer', 'X-Digest']);
    expect(messages[0]!.trailers).toEqual([['X-Digest', 'abc']]);
  });
});
