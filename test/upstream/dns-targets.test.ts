import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Request } from '../../src/message/request.js';
import { type DnsTargets, watchDnsTargets } from '../../src/upstream/dns-targets.js';
import { deferred, settles, within } from '../helpers/waiting.js';
import { names, tally, useUpstreamHarness } from './harness.js';

const h = useUpstreamHarness();

/** Loopback addresses a name can resolve to; Linux routes all of 127/8 to lo. */
const A = '127.0.0.1';
const B = '127.0.0.2';
const C = '127.0.0.3';

const servers: http.Server[] = [];
const watches: DnsTargets[] = [];
afterEach(async () => {
  for (const w of watches.splice(0)) w.close();
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    }),
  );
});

/**
 * listenOnAll starts one node:http server per address, all on the same
 * port (a DNS name's targets share one), each answering with the address
 * it was reached on; `hold`, when given, delays the answers of `A` until
 * it resolves.
 */
async function listenOnAll(hold?: Promise<void>): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const started: http.Server[] = [];
    try {
      let port = 0;
      for (const address of [A, B, C]) {
        const server = http.createServer((_req, res) => {
          const answer = () => res.end(address);
          if (address === A && hold !== undefined) void hold.then(answer);
          else answer();
        });
        started.push(server);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject).listen(port, address, resolve);
        });
        port = (server.address() as AddressInfo).port;
      }
      servers.push(...started);
      return port;
    } catch (err) {
      for (const s of started) s.close();
      // The port picked on A may be taken on another address: pick again.
      if (attempt === 4 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
}

/** Resolver: a fake DNS whose answer the test sets, and how often it was asked. */
interface Resolver {
  answer: readonly string[] | Error;
  calls: string[];
  resolve(name: string): Promise<readonly string[]>;
}

function resolver(answer: readonly string[] | Error): Resolver {
  const r: Resolver = {
    answer,
    calls: [],
    async resolve(name) {
      r.calls.push(name);
      await Promise.resolve();
      if (r.answer instanceof Error) throw r.answer;
      return r.answer;
    },
  };
  return r;
}

function watch(...args: Parameters<typeof watchDnsTargets>): DnsTargets {
  const w = watchDnsTargets(...args);
  watches.push(w);
  return w;
}

const urls = (u: { status(): { url: string }[] }) =>
  u
    .status()
    .map((s) => s.url)
    .sort();

describe('watchDnsTargets', () => {
  it('adds the addresses the name resolves to and sends requests to each', async () => {
    const port = await listenOnAll();
    const dns = resolver([A, B, C]);
    const u = h.upstreams([`http://${A}:${port}`], { slowStart: 0 });
    const w = watch(u, { name: 'svc.test', port, resolve: dns.resolve, errorLog: null });
    await within(w.refresh(), 2000, 'the first resolution');
    expect(dns.calls[0]).toBe('svc.test');
    expect(urls(u)).toEqual([A, B, C].map((a) => `http://${a}:${port}/`));
    expect(tally(await names(u, 6))).toEqual({ [A]: 2, [B]: 2, [C]: 2 });
  });

  it('removes an address that left the answer and adds one that joined', async () => {
    const port = await listenOnAll();
    const dns = resolver([A, B]);
    const u = h.upstreams([`http://${A}:${port}`], { slowStart: 0 });
    const w = watch(u, { name: 'svc.test', port, resolve: dns.resolve, errorLog: null });
    await within(w.refresh(), 2000, 'the first resolution');
    dns.answer = [B, C];
    await within(w.refresh(), 2000, 'the second resolution');
    expect(urls(u)).toEqual([B, C].map((a) => `http://${a}:${port}/`));
    expect(tally(await names(u, 4))).toEqual({ [B]: 2, [C]: 2 });
  });

  it('drains a removed address: its request in flight gets its answer first', async () => {
    const release = deferred();
    const port = await listenOnAll(release.promise);
    const dns = resolver([A]);
    const u = h.upstreams([`http://${A}:${port}`], { slowStart: 0 });
    const w = watch(u, { name: 'svc.test', port, resolve: dns.resolve, errorLog: null });
    await within(w.refresh(), 2000, 'the first resolution');
    const inFlight = u.roundTrip(new Request('GET', 'http://svc.test/slow'));
    expect(await settles(() => u.status()[0]!.outstanding === 1)).toBe(true);

    dns.answer = [B];
    let synced = false;
    const sync = w.refresh().then(() => (synced = true));
    // A leaves at once for new requests, but the resolution waits for its drain.
    expect(await settles(() => urls(u).join() === `http://${B}:${port}/`)).toBe(true);
    expect(await names(u, 2)).toEqual([B, B]);
    expect(synced).toBe(false);

    release.resolve();
    const res = await within(inFlight, 2000, 'the drained request');
    expect(await res.body!.text()).toBe(A);
    await within(sync, 2000, 'the resolution after the drain');
  });

  it('keeps the last good targets when a resolution fails or comes back empty, and logs it', async () => {
    const port = await listenOnAll();
    const dns = resolver([A, B]);
    const log: string[] = [];
    const u = h.upstreams([`http://${A}:${port}`], { slowStart: 0 });
    const w = watch(u, {
      name: 'svc.test',
      port,
      resolve: dns.resolve,
      errorLog: (m) => log.push(m),
    });
    await within(w.refresh(), 2000, 'the first resolution');
    const good = urls(u);

    dns.answer = Object.assign(new Error('queryA ESERVFAIL svc.test'), { code: 'ESERVFAIL' });
    await within(w.refresh(), 2000, 'the failed resolution');
    expect(urls(u)).toEqual(good);
    dns.answer = [];
    await within(w.refresh(), 2000, 'the empty resolution');
    expect(urls(u)).toEqual(good);
    expect(log).toEqual([
      'upstream dns svc.test: queryA ESERVFAIL svc.test',
      'upstream dns svc.test: no addresses, keeping the current targets',
    ]);
    expect(tally(await names(u, 4))).toEqual({ [A]: 2, [B]: 2 });

    dns.answer = [C];
    await within(w.refresh(), 2000, 'the recovered resolution');
    expect(urls(u)).toEqual([`http://${C}:${port}/`]);
  });

  it('re-resolves every interval until closed', async () => {
    const dns = resolver([A]);
    const u = h.upstreams([`http://${A}:8080`]);
    const w = watch(u, { name: 'svc.test', port: 8080, interval: 20, resolve: dns.resolve });
    expect(await settles(() => dns.calls.length >= 3, 2000)).toBe(true);
    w.close();
    await new Promise((resolve) => setTimeout(resolve, 30)); // one in flight may finish
    const after = dns.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(dns.calls.length).toBe(after);
  });

  it('names IPv6 addresses in brackets and uses the scheme given', async () => {
    const dns = resolver(['::1', A]);
    const u = h.upstreams([`https://${A}:8443`]);
    const w = watch(u, {
      name: 'svc.test',
      port: 8443,
      scheme: 'https',
      resolve: dns.resolve,
      errorLog: null,
    });
    await within(w.refresh(), 2000, 'the resolution');
    expect(urls(u)).toEqual([`https://${A}:8443/`, 'https://[::1]:8443/']);
  });
});
