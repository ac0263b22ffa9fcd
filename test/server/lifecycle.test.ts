import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Detached } from '../../src/io/socket-reader.js';
import type { Request } from '../../src/message/request.js';
import type { ResponseWriter } from '../../src/server/handler.js';
import { createServer } from '../../src/server/server.js';
import { connectTo, listenerCounts, socketPair } from '../helpers/raw-peer.js';
import { cleanup, head, listening, rawClient, sleep } from './harness.js';
import { deferred, within } from '../helpers/waiting.js';

afterEach(cleanup);

describe('Server.listen', () => {
  it('resolves with the bound address and serves a Handler object', async () => {
    const handler = {
      prefix: 'object',
      async serveHTTP(rw: ResponseWriter, req: Request) {
        await rw.write(`${this.prefix} ${req.url.path}`);
      },
    };
    const { server, port } = await listening(handler);
    expect(server.address()).toMatchObject({ address: '127.0.0.1', port });
    const socket = await connectTo(port);
    socket.write('GET /o HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(socket, 'end');
    expect(head(Buffer.concat(chunks))).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 9\r\n\r\nobject /o',
    );
    socket.destroy();
  });

  it('turns Nagle off on the connections it serves, from listen or serveConn, unless noDelay is false', async () => {
    // Node keeps what setNoDelay last set on a socket under its own kSetNoDelay symbol.
    const nagleOff = (socket: Socket) => {
      const key = Object.getOwnPropertySymbols(socket).find((k) => k.description === 'kSetNoDelay');
      return key !== undefined && (socket as unknown as Record<symbol, unknown>)[key] === true;
    };
    for (const noDelay of [undefined, false]) {
      const seen = deferred<boolean>();
      const onConnection = (message: unknown) =>
        seen.resolve(nagleOff((message as { socket: Socket }).socket));
      subscribe('httpwire:server:connection', onConnection);
      try {
        const { port } = await listening(() => undefined, noDelay === undefined ? {} : { noDelay });
        const socket = await connectTo(port);
        expect(await within(seen.promise)).toBe(noDelay ?? true);
        socket.destroy();
      } finally {
        unsubscribe('httpwire:server:connection', onConnection);
      }
    }
    // A socket the caller accepted and hands to serveConn.
    const server = createServer(() => undefined);
    const { client, server: socket } = await socketPair();
    expect(nagleOff(socket)).toBe(false);
    const served = server.serveConn(socket);
    expect(nagleOff(socket)).toBe(true);
    client.destroy();
    await within(served);
    await server.close();
  });

  it('rejects when the port is taken', async () => {
    const { port } = await listening(() => undefined);
    const second = createServer(() => undefined);
    await expect(second.listen(port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await second.close();
  });
});

describe('Server.close', () => {
  it('finishes a request in flight, closes idle connections at once and resolves when all are gone', async () => {
    let entered!: () => void;
    const slowStarted = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const { server, port } = await listening(async (rw, req) => {
      if (req.url.path === '/slow') {
        entered();
        await sleep(300);
      }
      await rw.write(req.url.path);
    });
    const idle = await connectTo(port);
    const busy = await connectTo(port);
    const idleEnded = once(idle, 'end');
    const busyData: Buffer[] = [];
    busy.on('data', (chunk: Buffer) => busyData.push(chunk));
    const busyEnded = once(busy, 'end');
    idle.write('GET /fast HTTP/1.1\r\nHost: a\r\n\r\n');
    await once(idle, 'data');
    busy.write('GET /slow HTTP/1.1\r\nHost: a\r\n\r\n');
    await slowStarted;

    const started = Date.now();
    const closed = server.close();
    await idleEnded;
    expect(Date.now() - started).toBeLessThan(150); // idle: closed at once
    await closed;
    await busyEnded;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250); // waited for the slow one
    expect(head(Buffer.concat(busyData))).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 5\r\n\r\n/slow',
    );
    expect(server.address()).toBeNull();
    expect(server.close()).toBe(closed); // a second close is the same
    idle.destroy();
    busy.destroy();
  });

  it('refuses connections handed to serveConn after close', async () => {
    const { server, client, served } = await rawClient(() => undefined);
    await server.close();
    await served;
    await client.clientEnded();
    expect(client.received().length).toBe(0);
  });
});

describe('Server hijacking', () => {
  it('hands over the socket after an Upgrade request with the tunnel bytes sent in the same packet', async () => {
    let detached: Detached | null = null;
    const { server, client, socket, served, listenersBefore } = await rawClient(async (rw, req) => {
      expect(req.header.get('Upgrade')).toBe('echo');
      detached = rw.hijack();
      expect(rw.headerWritten).toBe(true);
      const tunnel = detached.socket;
      tunnel.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n',
      );
      tunnel.write(Buffer.concat([Buffer.from('echo:'), detached.head]));
      tunnel.on('data', (chunk: Buffer) => tunnel.write(chunk));
      tunnel.resume();
    });
    await client.write(
      'GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nTUNNEL-1',
    );
    await client.waitFor('echo:TUNNEL-1');
    await client.write('|more');
    const got = await client.waitFor('|more');
    expect(got.toString('latin1')).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\necho:TUNNEL-1|more',
    );
    await served; // serveConn is done with a hijacked socket
    await server.close(); // and close() does not wait for it
    expect(detached).not.toBeNull();
    // Only the data listener the handler added is left.
    expect(listenerCounts(socket)).toEqual({ ...listenersBefore, data: 1 });
  });

  it('writes a head set with writeHeader before hijack, then leaves the socket to the handler (CONNECT)', async () => {
    const { client } = await rawClient(async (rw, req) => {
      expect(req.method).toBe('CONNECT');
      rw.writeHeader(200);
      const { socket, head: first } = rw.hijack();
      socket.end(`tunnel got ${first.toString()}`);
    });
    await client.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nhello');
    await client.clientEnded();
    expect(head(client.received())).toBe('HTTP/1.1 200 OK\r\nDate: <date>\r\n\r\ntunnel got hello');
  });

  it('closes after an Upgrade request the handler did not hijack', async () => {
    const { client } = await rawClient(async (rw) => {
      rw.writeHeader(400);
    });
    await client.write(
      'GET / HTTP/1.1\r\nHost: a\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nGET / HTTP/1.1\r\n\r\n',
    );
    await client.clientEnded();
    expect(head(client.received())).toBe(
      'HTTP/1.1 400 Bad Request\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
  });
});

describe('Server pipelining and flow control', () => {
  it('answers 200 pipelined requests sent in one write, in order', async () => {
    const { client } = await rawClient(async (rw, req) => {
      const n = Number(req.url.path.slice(1));
      if (n % 7 === 0) await sleep(1); // uneven handler times must not reorder anything
      await rw.write(`<${n}>`);
    });
    let requests = '';
    for (let i = 0; i < 200; i++) requests += `GET /${i} HTTP/1.1\r\nHost: a\r\n\r\n`;
    await client.write(requests);
    const got = await client.waitFor('<199>', 5000);
    const bodies = head(got)
      .split('HTTP/1.1 200 OK\r\nDate: <date>\r\n')
      .slice(1)
      .map((response) => response.slice(response.indexOf('\r\n\r\n') + 4));
    expect(bodies).toEqual(Array.from({ length: 200 }, (_, i) => `<${i}>`));
  });

  it('never buffers more than a chunk of a 64 MiB response for a client that reads slowly', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let maxQueued = 0;
    const { client, socket } = await rawClient(async (rw) => {
      rw.header().set('Content-Length', String(1024 * chunk.length));
      for (let i = 0; i < 1024; i++) {
        await rw.write(chunk);
        maxQueued = Math.max(maxQueued, socket.writableLength);
      }
    });
    // The client reads in bursts: 20 ms reading, 20 ms paused.
    const peer = client.socket;
    let received = 0;
    peer.removeAllListeners('data'); // count bytes instead of keeping 64 MiB
    peer.on('data', (data: Buffer) => {
      received += data.length;
    });
    const pacing = setInterval(() => (peer.isPaused() ? peer.resume() : peer.pause()), 20);
    try {
      await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      const total = 1024 * chunk.length;
      for (let i = 0; i < 1000 && received < total; i++) await sleep(20);
      expect(received).toBeGreaterThan(total); // the head and the whole body
    } finally {
      clearInterval(pacing);
    }
    expect(maxQueued).toBeLessThanOrEqual(256 * 1024);
  });

  it('aborts req.signal when the client goes away before the response', async () => {
    let signal: AbortSignal | null = null;
    let aborted!: () => void;
    const abortedNow = new Promise<void>((resolve) => {
      aborted = resolve;
    });
    const { client } = await rawClient(async (_rw, req) => {
      signal = req.signal;
      req.signal!.addEventListener('abort', () => aborted());
      await abortedNow;
    });
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await sleep(20);
    client.destroy();
    await abortedNow;
    expect(signal!.aborted).toBe(true);
    expect(signal!.reason).toMatchObject({ code: 'ERR_CLIENT_GONE' });
  });

  it('drains a small unread request body and keeps the connection', async () => {
    const { client } = await rawClient(async (rw, req) => {
      await rw.write(req.url.path);
    });
    await client.write(
      'POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello' +
        'GET /2 HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    expect(head(await client.waitFor('/2'))).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 2\r\n\r\n/1' +
        'HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 2\r\n\r\n/2',
    );
  });

  it('closes instead of draining a large unread request body (Go maxPostHandlerReadBytes)', async () => {
    const { client } = await rawClient(async (rw) => {
      await rw.write('no thanks');
    });
    await client.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\nstart');
    await client.clientEnded();
    expect(head(client.received())).toBe(
      'HTTP/1.1 200 OK\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 9\r\n\r\nno thanks',
    );
  });
});

describe('Server and Expect: 100-continue (server.go expectContinueReader)', () => {
  it('sends 100 Continue when the handler first reads the body', async () => {
    const { client } = await rawClient(async (rw, req) => {
      await sleep(20); // not before the handler reads
      await rw.write(`got ${await req.body!.text()}`);
    });
    await client.write(
      'PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n',
    );
    await client.waitFor('HTTP/1.1 100 Continue\r\n\r\n');
    await client.write('hello');
    expect(head(await client.waitFor('got hello'))).toBe(
      'HTTP/1.1 100 Continue\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: 9\r\n\r\ngot hello',
    );
  });

  it('never sends 100 Continue and closes when the handler answers without reading', async () => {
    const { client } = await rawClient(async (rw) => {
      rw.writeHeader(401);
    });
    await client.write(
      'PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n',
    );
    await client.clientEnded();
    expect(head(client.received())).toBe(
      'HTTP/1.1 401 Unauthorized\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
  });

  it('sends no 100 Continue to an HTTP/1.0 client', async () => {
    const { client } = await rawClient(async (rw, req) => {
      await rw.write(await req.body!.text());
    });
    await client.write('PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok');
    await client.clientEnded();
    expect(head(client.received())).toBe(
      'HTTP/1.0 200 OK\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok',
    );
  });
});
