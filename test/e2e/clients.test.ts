import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { Client } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  deferred,
  type NodeBackend,
  onCleanup,
  startNodeBackend,
  startProxy,
  within,
} from './e2e-harness.js';

const run = promisify(execFile);
const MiB = 1 << 20;

afterEach(cleanup);

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

let dir = '';
let upload = Buffer.alloc(0); // 8 MiB sent by the clients
let download = Buffer.alloc(0); // 32 MiB served by the backend
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'httpwire-e2e-'));
  upload = randomBytes(8 * MiB);
  download = randomBytes(32 * MiB);
  await writeFile(join(dir, 'upload.bin'), upload);
  return () => rm(dir, { recursive: true, force: true });
});

/** hashBody reads a request body and returns its size and sha256. */
async function hashBody(req: IncomingMessage): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * A node:http backend: `/download` serves the 32 MiB (with Content-Length,
 * or chunked at `/download?chunked`), `/hash` answers with the size and
 * sha256 of the request body, anything else echoes method, URL and the
 * forwarding headers as JSON.
 */
function startBackend(): Promise<NodeBackend> {
  return startNodeBackend((req, res) => {
    if (req.url?.startsWith('/download') === true) {
      const chunked = req.url.endsWith('?chunked');
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        ...(chunked ? {} : { 'Content-Length': String(download.length) }),
      });
      Readable.from(chunkedView(download, 256 * 1024)).pipe(res);
      return;
    }
    void hashBody(req).then((body) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          host: req.headers.host,
          xff: req.headers['x-forwarded-for'] ?? null,
          transferEncoding: req.headers['transfer-encoding'] ?? null,
          contentLength: req.headers['content-length'] ?? null,
          ...body,
        }),
      );
    });
  });
}

function* chunkedView(data: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

async function curl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('curl', ['--silent', '--show-error', '--max-time', '20', ...args], {
    maxBuffer: 4 * MiB,
  });
}

describe('curl through the ReverseProxy', () => {
  it('GETs a page and the backend sees the inbound Host and X-Forwarded-For', async () => {
    const backend = await startBackend();
    const proxy = await startProxy(backend.origin);
    const { stdout } = await curl(`${proxy.origin}/hello?x=1`);
    expect(JSON.parse(stdout)).toMatchObject({
      method: 'GET',
      url: '/hello?x=1',
      host: `127.0.0.1:${proxy.port}`,
      xff: '127.0.0.1',
      bytes: 0,
    });
  });

  it('POSTs a form body with its Content-Length', async () => {
    const backend = await startBackend();
    const proxy = await startProxy(backend.origin);
    const { stdout } = await curl('-d', 'a=1&b=2', `${proxy.origin}/form`);
    expect(JSON.parse(stdout)).toMatchObject({
      method: 'POST',
      contentLength: '7',
      bytes: 7,
      sha256: sha256(Buffer.from('a=1&b=2')),
    });
  });

  it('uploads 8 MiB intact', async () => {
    const backend = await startBackend();
    const proxy = await startProxy(backend.origin);
    const { stdout } = await curl(
      '--data-binary',
      `@${join(dir, 'upload.bin')}`,
      '-H',
      'Content-Type: application/octet-stream',
      `${proxy.origin}/hash`,
    );
    expect(JSON.parse(stdout)).toMatchObject({
      contentLength: String(8 * MiB),
      bytes: 8 * MiB,
      sha256: sha256(upload),
    });
  });

  it('uploads 8 MiB sent chunked, re-framed chunked to the backend', async () => {
    const backend = await startBackend();
    const proxy = await startProxy(backend.origin);
    const { stdout } = await curl(
      '-T',
      join(dir, 'upload.bin'),
      '-H',
      'Transfer-Encoding: chunked',
      `${proxy.origin}/hash`,
    );
    expect(JSON.parse(stdout)).toMatchObject({
      method: 'PUT',
      transferEncoding: 'chunked',
      contentLength: null,
      bytes: 8 * MiB,
      sha256: sha256(upload),
    });
  });

  it('downloads 32 MiB with the same checksum, with Content-Length and chunked', async () => {
    const backend = await startBackend();
    const proxy = await startProxy(backend.origin);
    const sized = join(dir, 'sized.bin');
    const chunked = join(dir, 'chunked.bin');
    const { stdout } = await curl(
      '-w',
      '%{http_code} %{size_download}\n',
      '-o',
      sized,
      `${proxy.origin}/download`,
      '-o',
      chunked,
      `${proxy.origin}/download?chunked`,
    );
    expect(stdout).toBe(`200 ${32 * MiB}\n200 ${32 * MiB}\n`);
    expect(sha256(await readFile(sized))).toBe(sha256(download));
    expect(sha256(await readFile(chunked))).toBe(sha256(download));
  });

  it('re-uses one connection to the proxy, and the proxy one to the backend, for several URLs', async () => {
    const backend = await startBackend();
    const proxy = await startProxy(backend.origin);
    const urls = ['/a', '/b', '/c', '/d'].map((path) => `${proxy.origin}${path}`);
    const { stdout, stderr } = await curl('-v', ...urls);
    expect(stdout.match(/"method":"GET"/g)).toHaveLength(4);
    expect(stderr.match(/Re-using existing connection/g)).toHaveLength(3);
    expect(proxy.inbound).toHaveLength(1);
    expect(backend.sockets).toHaveLength(1);
  });
});

describe('undici through the ReverseProxy', () => {
  async function client(origin: string, options: Client.Options = {}): Promise<Client> {
    const c = new Client(origin, options);
    onCleanup(() => c.destroy());
    return c;
  }

  it('GETs and POSTs on one kept-alive connection', async () => {
    const backend = await startBackend();
    const proxy = await startProxy(backend.origin);
    const c = await client(proxy.origin);
    const get = await c.request({ method: 'GET', path: '/one' });
    expect(await get.body.json()).toMatchObject({ method: 'GET', url: '/one' });
    const post = await c.request({ method: 'POST', path: '/two', body: 'payload' });
    expect(await post.body.json()).toMatchObject({ method: 'POST', url: '/two', bytes: 7 });
    expect(proxy.inbound).toHaveLength(1);
    expect(backend.sockets).toHaveLength(1);
  });

  it('streams an 8 MiB upload of unknown length and a 32 MiB download', async () => {
    const backend = await startBackend();
    const proxy = await startProxy(backend.origin);
    const c = await client(proxy.origin);
    const up = await c.request({
      method: 'POST',
      path: '/hash',
      body: Readable.from(chunkedView(upload, 100_000)),
    });
    expect(await up.body.json()).toMatchObject({
      transferEncoding: 'chunked',
      bytes: 8 * MiB,
      sha256: sha256(upload),
    });
    const down = await c.request({ method: 'GET', path: '/download?chunked' });
    expect(down.headers['transfer-encoding']).toBe('chunked');
    expect(sha256(Buffer.from(await down.body.arrayBuffer()))).toBe(sha256(download));
  });

  it('answers 10 pipelined requests in order on one connection', async () => {
    const firstArrived = deferred();
    const release = deferred();
    const backend = await startNodeBackend((req, res) => {
      const answer = () => res.end(`answer to ${req.url}`);
      if (req.url !== '/0') return answer();
      firstArrived.resolve();
      void release.promise.then(answer); // hold the first so the rest queue up behind it
    });
    const proxy = await startProxy(backend.origin);
    const c = await client(proxy.origin, { pipelining: 10 });
    const paths = Array.from({ length: 10 }, (_, i) => `/${i}`);
    const answers = paths.map((path) =>
      c.request({ method: 'GET', path }).then((res) => res.body.text()),
    );
    await within(firstArrived.promise, 2000, 'the first request at the backend');
    release.resolve();
    expect(await within(Promise.all(answers), 5000, 'ten answers')).toEqual(
      paths.map((path) => `answer to ${path}`),
    );
    expect(proxy.inbound).toHaveLength(1);
  });
});
