/**
 * The client and proxy diagnostics channels: a ReverseProxy with its own
 * Transport in front of a node:http backend, driven by undici.
 */
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Request } from '../../src/message/request.js';
import type { Response } from '../../src/message/response.js';
import { cleanup, startNodeBackend, startProxy } from '../e2e/e2e-harness.js';
import { recordChannels } from '../helpers/channels.js';

afterEach(cleanup);

async function get(origin: string, path: string): Promise<number> {
  const client = new Client(origin);
  try {
    const res = await client.request({ method: 'GET', path });
    await res.body.text();
    return res.statusCode;
  } finally {
    await client.close();
  }
}

describe('client diagnostics channels', () => {
  it('publishes connect once, then request and response for each round trip', async () => {
    const seen = recordChannels([
      'httpwire:client:connect',
      'httpwire:client:request',
      'httpwire:client:response',
    ]);
    const backend = await startNodeBackend((_req, res) => res.end('ok'));
    const proxy = await startProxy(backend.origin);
    expect(await get(proxy.origin, '/a')).toBe(200);
    expect(await get(proxy.origin, '/b')).toBe(200);
    expect(seen.map(([name]) => name)).toEqual([
      'httpwire:client:connect',
      'httpwire:client:request',
      'httpwire:client:response',
      'httpwire:client:request',
      'httpwire:client:response',
    ]);
    expect(seen[0]![1].origin).toBe(`http://127.0.0.1:${backend.port}`);
    const [first, second] = [seen[1]![1], seen[3]![1]];
    expect((first.request as Request).url.path).toBe('/a');
    expect({ reused: first.reused, again: second.reused }).toEqual({ reused: false, again: true });
    expect(first.socket).toBe(seen[0]![1].socket);
    expect((seen[2]![1].response as Response).status).toBe(200);
    expect(seen[2]![1].request).toBe(first.request);
  });
});

describe('proxy and client error channels', () => {
  it('publish the failed round trip and the error the proxy answered 502 for', async () => {
    const seen = recordChannels(['httpwire:client:error', 'httpwire:proxy:error']);
    const backend = await startNodeBackend();
    await new Promise((resolve) => backend.server.close(resolve)); // refuses connections now
    const proxy = await startProxy(backend.origin);
    expect(await get(proxy.origin, '/down')).toBe(502);
    expect(seen.map(([name]) => name)).toEqual(['httpwire:client:error', 'httpwire:proxy:error']);
    const [client, failed] = [seen[0]![1], seen[1]![1]];
    expect((client.error as { code?: string }).code).toBe('ERR_DIAL');
    expect(failed.error).toBe(client.error);
    expect((failed.request as Request).url.path).toBe('/down');
  });
});
