import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReverseProxyOptions } from '../../src/proxy/reverse-proxy.js';
import { cleanup, onCleanup, startNodeBackend, startProxy, within } from './e2e-harness.js';
import { Lockstep } from './lockstep.js';

afterEach(cleanup);

/** proxied starts a backend serving `pieces` in lockstep with `head`, and a proxy in front of it. */
async function proxied(
  head: Record<string, string>,
  pieces: string[],
  options: ReverseProxyOptions = {},
) {
  const step = new Lockstep(pieces);
  const backend = await startNodeBackend((_req, res) => {
    res.writeHead(200, head);
    void step.serve(res);
  });
  const proxy = await startProxy(backend.origin, options);
  const client = new Client(proxy.origin);
  onCleanup(() => client.destroy());
  return { step, client };
}

const events = [1, 2, 3, 4, 5].map((n) => `id: ${n}\nevent: tick\ndata: event ${n}\n\n`);

describe('Streaming responses through the ReverseProxy', () => {
  it('delivers each server-sent event before the backend writes the next one', async () => {
    const { step, client } = await proxied(
      { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' },
      events,
    );
    const res = await within(
      client.request({ method: 'GET', path: '/events' }),
      2000,
      'response head',
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const text = await within(step.read(res.body), 5000, 'all events');
    expect(text).toBe(events.join(''));
  });

  it('flushes server-sent events at once even with a long flushInterval', async () => {
    const { step, client } = await proxied(
      { 'Content-Type': 'text/event-stream; charset=utf-8' },
      events,
      { flushInterval: 60_000 },
    );
    const res = await within(
      client.request({ method: 'GET', path: '/events' }),
      2000,
      'response head',
    );
    const text = await within(step.read(res.body), 5000, 'all events');
    expect(text).toBe(events.join(''));
  });

  it('flushes a body of unknown length after every write (chunked from the backend)', async () => {
    const pieces = ['first line\n', 'second line\n', 'third line\n'];
    const { step, client } = await proxied({ 'Content-Type': 'text/plain' }, pieces);
    const res = await within(
      client.request({ method: 'GET', path: '/log' }),
      2000,
      'response head',
    );
    const text = await within(step.read(res.body), 5000, 'all lines');
    expect(text).toBe(pieces.join(''));
  });

  it('flushes a body of known length after every write with flushInterval -1', async () => {
    const pieces = ['0123456789', 'abcdefghij', 'ABCDEFGHIJ'];
    const { step, client } = await proxied(
      { 'Content-Type': 'text/plain', 'Content-Length': '30' },
      pieces,
      { flushInterval: -1 },
    );
    const res = await within(
      client.request({ method: 'GET', path: '/known' }),
      2000,
      'response head',
    );
    expect(res.headers['content-length']).toBe('30');
    const text = await within(step.read(res.body), 5000, 'all pieces');
    expect(text).toBe(pieces.join(''));
  });

  it('flushes a body of known length within a positive flushInterval', async () => {
    const pieces = ['0123456789', 'abcdefghij', 'ABCDEFGHIJ'];
    const { step, client } = await proxied(
      { 'Content-Type': 'text/plain', 'Content-Length': '30' },
      pieces,
      { flushInterval: 20 },
    );
    const res = await within(
      client.request({ method: 'GET', path: '/known' }),
      2000,
      'response head',
    );
    const text = await within(step.read(res.body), 5000, 'all pieces');
    expect(text).toBe(pieces.join(''));
  });
});
