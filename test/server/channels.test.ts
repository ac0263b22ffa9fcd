/**
 * The server's diagnostics channels, ResponseWriter.status/bytesWritten and
 * Server.close's idleGrace, over real sockets with undici as the client.
 */
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Request } from '../../src/message/request.js';
import type { ResponseWriter } from '../../src/server/handler.js';
import { recordChannels } from '../helpers/channels.js';
import { cleanup, listening } from './harness.js';

afterEach(cleanup);

describe('server diagnostics channels', () => {
  it('publishes connection, request and response with status and bytes', async () => {
    const seen = recordChannels([
      'httpwire:server:connection',
      'httpwire:server:request',
      'httpwire:server:response',
    ]);
    const { port } = await listening(async (rw) => {
      rw.writeHeader(201);
      await rw.write('hello');
      await rw.write(' world');
    });
    const client = new Client(`http://127.0.0.1:${port}`);
    try {
      for (let i = 0; i < 2; i++) {
        const res = await client.request({ method: 'GET', path: `/n${i}` });
        expect(await res.body.text()).toBe('hello world');
      }
    } finally {
      await client.close();
    }
    expect(seen.map(([name]) => name)).toEqual([
      'httpwire:server:connection',
      'httpwire:server:request',
      'httpwire:server:response',
      'httpwire:server:request',
      'httpwire:server:response',
    ]);
    const [, request] = seen[1]!;
    const [, response] = seen[2]!;
    expect((request.request as Request).url.path).toBe('/n0');
    expect(response.request).toBe(request.request);
    expect(response.response).toBe(request.response);
    expect(response.socket).toBe(seen[0]![1].socket);
    const rw = response.response as ResponseWriter;
    expect({ status: rw.status, bytes: rw.bytesWritten, error: response.error }).toEqual({
      status: 201,
      bytes: 11,
      error: null,
    });
  });

  it('gives the handler error and the 500 it was answered with', async () => {
    const seen = recordChannels(['httpwire:server:response']);
    const boom = new Error('boom');
    const { port } = await listening(() => {
      throw boom;
    });
    const client = new Client(`http://127.0.0.1:${port}`);
    try {
      const res = await client.request({ method: 'GET', path: '/' });
      await res.body.text();
      expect(res.statusCode).toBe(500);
    } finally {
      await client.close();
    }
    const rw = seen[0]![1].response as ResponseWriter;
    expect(seen[0]![1].error).toBe(boom);
    expect(rw.status).toBe(500);
    expect(rw.bytesWritten).toBe('500 Internal Server Error\n'.length);
  });
});

describe('ResponseWriter.status and bytesWritten', () => {
  it('is 0 until the head is decided, then the status; counts body bytes, none for HEAD', async () => {
    const states: number[][] = [];
    const { port } = await listening(async (rw) => {
      states.push([rw.status, rw.bytesWritten]);
      rw.writeHeader(103); // informational: not the status
      states.push([rw.status, rw.bytesWritten]);
      await rw.write('abc');
      states.push([rw.status, rw.bytesWritten]);
      await rw.write(new Uint8Array(5000)); // past the held-back buffer: streamed
      states.push([rw.status, rw.bytesWritten]);
    });
    const client = new Client(`http://127.0.0.1:${port}`);
    try {
      const get = await client.request({ method: 'GET', path: '/' });
      expect((await get.body.arrayBuffer()).byteLength).toBe(5003);
      const head = await client.request({ method: 'HEAD', path: '/' });
      await head.body.text();
    } finally {
      await client.close();
    }
    expect(states.slice(0, 4)).toEqual([
      [0, 0],
      [0, 0],
      [200, 3],
      [200, 5003],
    ]);
    expect(states.slice(4)).toEqual([
      [0, 0],
      [0, 0],
      [200, 0],
      [200, 0],
    ]);
  });
});

describe('Server.close idleGrace', () => {
  it('answers a request on an idle connection within the grace, with Connection: close', async () => {
    const { server, port } = await listening(async (rw, req) => {
      await rw.write(req.url.path);
    });
    const client = new Client(`http://127.0.0.1:${port}`);
    try {
      const first = await client.request({ method: 'GET', path: '/one' });
      expect(await first.body.text()).toBe('/one');
      const closed = server.close({ idleGrace: 2000 });
      const second = await client.request({ method: 'GET', path: '/two' });
      expect(await second.body.text()).toBe('/two');
      expect(second.headers.connection).toBe('close');
      await closed;
    } finally {
      await client.close();
    }
  });
});
