/**
 * TLS interception (`npm run bench -- mitm`): intercepted HTTPS requests per
 * second over kept-alive tunnels, httpwire's ForwardProxy with `mitm` against
 * http-mitm-proxy with `keepAlive: true`, and the first handshake to a new
 * host name through httpwire (a leaf issued) against a repeated one (cached).
 * Each proxy runs in a fresh child process on its own core; the HTTPS origin
 * and undici's ProxyAgent (50 requests in flight) share the other. Ratios are
 * same-round.
 */
import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect } from 'node:net';
import os from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { ProxyAgent, request } from 'undici';
import { CertificateAuthority } from '../src/forward/mitm/index.js';
import type { Bench, BenchOptions } from './bench.js';
import { Child, canPin, PEER_CPU, spawnPinned } from './conn/child.js';
import { durations, formatRatio, median, type Rated, runRounds } from './conn/rounds.js';
import { formatRate, formatTable } from './report.js';

const CONTENDERS = [{ name: 'httpwire' }, { name: 'http-mitm-proxy' }] as const;
const IN_FLIGHT = 50;
const HANDSHAKES = 30;

/** startProxy runs bench/mitm/serve-mitm.ts for `kind` and waits for its port and CA. */
async function startProxy(kind: string): Promise<{ child: Child; port: number; caPEM: string }> {
  const script = fileURLToPath(new URL('mitm/serve-mitm.ts', import.meta.url));
  const child = new Child(
    spawnPinned(PEER_CPU, [process.execPath, '--no-deprecation', '--import', 'tsx', script, kind]),
  );
  const { port, caPEM } = await child.nextJSON<{ port: number; caPEM: string }>();
  return { child, port, caPEM };
}

/** Load: requests per second through one proxy, and the proxy process's CPU per request. */
interface Load {
  rate: number;
  cpuMicrosPerRequest: number;
}

/** cpuMicros asks the proxy child for its CPU time so far. */
async function cpuMicros(child: Child): Promise<number> {
  child.send('cpu');
  return (await child.nextJSON<{ cpuMicros: number }>()).cpuMicros;
}

/** load sends requests to `url` through the proxy, IN_FLIGHT at a time, for `ms` after `warmupMs`. */
async function load(
  url: string,
  { child, port: proxyPort, caPEM }: { child: Child; port: number; caPEM: string },
  warmupMs: number,
  ms: number,
): Promise<Load> {
  const agent = new ProxyAgent({
    uri: `http://127.0.0.1:${proxyPort}`,
    requestTls: { ca: caPEM },
    connections: IN_FLIGHT,
  });
  let counting = false;
  let done = 0;
  let failed = 0;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      try {
        const res = await request(url, { dispatcher: agent });
        await res.body.dump();
        if (counting) done++;
      } catch {
        if (counting) failed++;
      }
    }
  };
  // One request first: the leaf for the host is issued (http-mitm-proxy makes an RSA key in
  // JavaScript, seconds on a loaded machine), so the rounds measure kept-alive tunnels.
  await (await request(url, { dispatcher: agent })).body.dump();
  const workers = Array.from({ length: IN_FLIGHT }, worker);
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  const cpuBefore = await cpuMicros(child);
  counting = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  counting = false;
  const seconds = (performance.now() - started) / 1000;
  const counted = done;
  const cpu = (await cpuMicros(child)) - cpuBefore;
  stop = true;
  await Promise.all(workers);
  await agent.close();
  if (failed > 0) process.stderr.write(`mitm bench: ${failed} request(s) failed\n`);
  return { rate: counted / seconds, cpuMicrosPerRequest: cpu / counted };
}

/** handshakeMs opens a tunnel to `target` and times the TLS handshake for `servername` inside it. */
async function handshakeMs(proxyPort: number, target: string, servername: string, caPEM: string) {
  const socket = connect(proxyPort, '127.0.0.1');
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  const [head] = (await once(socket, 'data')) as [Buffer];
  if (!head.toString('latin1').startsWith('HTTP/1.1 200')) throw new Error('CONNECT refused');
  const started = performance.now();
  const tls = tlsConnect({ socket, servername, ca: caPEM });
  await once(tls, 'secureConnect');
  const ms = performance.now() - started;
  tls.destroy();
  return ms;
}

export const bench: Bench = {
  name: 'mitm',
  async run(options: BenchOptions) {
    const { print } = options;
    const quick = options.roundMs < 100;
    const { seconds, rounds } = durations(quick);
    const originCA = await CertificateAuthority.create({ commonName: 'bench origin CA' });
    const origin = createHttpsServer(
      {
        SNICallback: (name, cb) => {
          originCA.secureContextFor(name).then((c) => cb(null, c), cb);
        },
        keepAliveTimeout: 60_000,
      },
      (_req, res) => res.end('ok'),
    );
    origin.listen(0, '127.0.0.1');
    await once(origin, 'listening');
    const originPort = (origin.address() as AddressInfo).port;
    const url = `https://localhost:${originPort}/`;
    print(
      (canPin() ? `proxies on CPU ${PEER_CPU}; ` : 'nothing pinned; ') +
        `${rounds} round(s) of ${seconds} s each, ${IN_FLIGHT} requests in flight through undici ProxyAgent; ` +
        `1-minute load average ${(os.loadavg()[0] ?? 0).toFixed(2)}`,
    );
    try {
      const cpu = new Map<string, number[]>();
      const rated = await runRounds(CONTENDERS, rounds, async (c) => {
        const proxy = await startProxy(c.name);
        try {
          const got = await load(url, proxy, quick ? 300 : 1000, seconds * 1000);
          cpu.set(c.name, [...(cpu.get(c.name) ?? []), got.cpuMicrosPerRequest]);
          return got.rate;
        } finally {
          await proxy.child.stop();
        }
      });
      const [ours, theirs] = rated as [Rated, Rated];
      const sameRound = ours.rounds.map((r, i) => r / (theirs.rounds[i] ?? NaN));
      const cpuOurs = cpu.get(ours.name)!;
      const cpuTheirs = cpu.get(theirs.name)!;
      const cpuRatio = median(cpuOurs.map((c, i) => (cpuTheirs[i] ?? NaN) / c));
      print(
        formatTable(
          ['proxy', 'req/s', 'vs http-mitm-proxy', 'proxy CPU µs/req', 'CPU vs http-mitm-proxy'],
          rated.map((r) => [
            r.name,
            formatRate(median(r.rounds)),
            r === ours ? formatRatio(median(sameRound)) : '1.00×',
            median(cpu.get(r.name)!).toFixed(0),
            r === ours ? `${formatRatio(cpuRatio)} less` : '1.00×',
          ]),
        ),
      );
      const proxy = await startProxy('httpwire');
      let first: number[] = [];
      let cached: number[] = [];
      try {
        const target = `localhost:${originPort}`;
        for (let i = 0; i < HANDSHAKES; i++) {
          first.push(await handshakeMs(proxy.port, target, `h${i}.bench.test`, proxy.caPEM));
        }
        for (let i = 0; i < HANDSHAKES; i++) {
          cached.push(await handshakeMs(proxy.port, target, `h${i}.bench.test`, proxy.caPEM));
        }
      } finally {
        await proxy.child.stop();
      }
      first = first.slice(1); // the first one also makes the CA's shared leaf key
      cached = cached.slice(1);
      print(
        formatTable(
          ['handshake through httpwire', 'median ms', 'of'],
          [
            ['new host name (leaf issued)', median(first).toFixed(2), String(first.length)],
            ['same name again (cached)', median(cached).toFixed(2), String(cached.length)],
          ],
        ),
      );
      return {
        requestsPerSec: Object.fromEntries(rated.map((r) => [r.name, median(r.rounds)])),
        vsHttpMitmProxy: median(sameRound),
        cpuMicrosPerRequest: Object.fromEntries([...cpu].map(([k, v]) => [k, median(v)])),
        cpuVsHttpMitmProxy: cpuRatio,
        firstHandshakeMs: median(first),
        cachedHandshakeMs: median(cached),
      };
    } finally {
      origin.closeAllConnections();
      origin.close();
    }
  },
};
