/**
 * ReverseProxy and interim responses: a backend flooding 1xx responses is
 * cut off at the Transport's `max1xxResponses` and the client gets a 502.
 */
import { describe, expect, it } from 'vitest';
import { parseMessages } from '../../src/index.js';
import { newSingleHostReverseProxy } from '../../src/proxy/reverse-proxy.js';
import { Transport } from '../../src/transport/transport.js';
import { useProxyHarness, within } from './harness.js';

const h = useProxyHarness();

describe('ReverseProxy interim responses', () => {
  it('answers 502 to a backend sending 2,000 102 Processing, relaying at most 5', async () => {
    const backend = await h.rawBackend(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer
        .write(
          'HTTP/1.1 102 Processing\r\n\r\n'.repeat(2000) +
            'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
        )
        .catch(() => undefined);
    });
    const proxy = newSingleHostReverseProxy(`http://127.0.0.1:${backend.port}`);
    const transport = new Transport();
    proxy.transport = transport;
    proxy.errorLog = () => undefined;
    const frontend = await h.frontend(proxy);
    const client = await h.rawClient(frontend);
    await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const received = await within(
      client.waitFor((r) => /HTTP\/1\.1 [2-5]\d\d /.test(r.toString('latin1'))),
    );
    const statuses = parseMessages('response', received).messages.map((m) => m.status);
    expect(statuses.at(-1)).toBe(502);
    expect(statuses.filter((s) => s === 102).length).toBeLessThanOrEqual(5);
    transport.close();
  });
});
