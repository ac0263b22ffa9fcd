import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrClosed, Response } from '../../src/index.js';
import { listenerCounts } from '../helpers/raw-peer.js';
import { closeAll, serverConnPair } from './server-conn-harness.js';

afterEach(closeAll);

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`;

describe('ServerConn hijack and close (persist.go)', () => {
  it('hijacks after an Upgrade request with the tunnel bytes sent in the same packet', async () => {
    const { conn, client, socket, listenersBefore } = await serverConnPair();
    await client.write(
      'GET /chat HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\ntunnel\x00\xffbytes',
    );
    const req = await conn.read();
    expect(req.header.get('Upgrade')).toBe('echo');
    const { socket: raw, head } = conn.hijack();
    expect(raw).toBe(socket);
    expect(head.toString('latin1')).toBe('tunnel\x00\xffbytes');
    expect(listenerCounts(raw)).toEqual(listenersBefore);
    // the socket is ours now: speak the new protocol on it
    raw.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    raw.write(head);
    const expected =
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\ntunnel\x00\xffbytes';
    await client.waitFor(expected);
    raw.resume();
    const more = once(raw, 'data') as Promise<[Buffer]>;
    await client.write('more tunnel');
    expect((await more)[0].toString()).toBe('more tunnel');
  });

  it('writes a 101 answer with no framing lines, then hijacks with the tunnel bytes', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(
      'GET /ws HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x00',
    );
    const req = await conn.read();
    const switching = new Response(101, {
      header: { Connection: 'Upgrade', Upgrade: 'websocket' },
    });
    await conn.write(req, switching);
    const { head } = conn.hijack();
    expect([...head]).toEqual([0x81, 0x00]);
    const expected =
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
    expect((await client.waitFor(expected)).toString('latin1')).toBe(expected);
  });

  it('hijacks after a CONNECT request with the bytes that followed it', async () => {
    const { conn, client, socket, listenersBefore } = await serverConnPair();
    await client.write(
      'CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n\x16\x03\x01',
    );
    const req = await conn.read();
    expect(req.method).toBe('CONNECT');
    expect(req.host).toBe('example.test:443');
    const { head } = conn.hijack();
    expect([...head]).toEqual([0x16, 0x03, 0x01]);
    expect(listenerCounts(socket)).toEqual(listenersBefore);
  });

  it('hands pipelined requests not yet read to the hijacker as head bytes', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/1') + GET('/2') + GET('/3'));
    await conn.read();
    const { head } = conn.hijack();
    expect(head.toString('latin1')).toBe(GET('/2') + GET('/3'));
  });

  it('reads bytes given at construction before the socket (Go’s bufio.Reader argument)', async () => {
    const { conn, client } = await serverConnPair({}, Buffer.from('GET /from-head HTTP/1.1\r\n'));
    await client.write('Host: h\r\n\r\n' + GET('/from-socket'));
    expect((await conn.read()).url.path).toBe('/from-head');
    expect((await conn.read()).url.path).toBe('/from-socket');
  });

  it('throws ErrClosed from every call after hijack', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/1'));
    const req = await conn.read();
    conn.hijack();
    expect(() => conn.hijack()).toThrow(ErrClosed);
    await expect(conn.read()).rejects.toBe(ErrClosed);
    await expect(conn.write(req, new Response(200))).rejects.toBe(ErrClosed);
    expect(() => conn.close()).not.toThrow();
    expect(client.received().length).toBe(0);
  });

  it('fails a read waiting for a request with ErrClosed when the conn is hijacked', async () => {
    const { conn } = await serverConnPair();
    const waiting = conn.read();
    await new Promise((resolve) => setImmediate(resolve));
    conn.hijack();
    await expect(waiting).rejects.toBe(ErrClosed);
  });

  it('fails a request body being read with ErrClosed when the conn is hijacked', async () => {
    const { conn, client } = await serverConnPair();
    await client.write('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc');
    const req = await conn.read();
    const text = req.body!.text();
    conn.hijack();
    await expect(text).rejects.toBe(ErrClosed);
  });

  it('close ends the socket, removes the conn’s listeners and may be called twice', async () => {
    const { conn, client, socket, listenersBefore } = await serverConnPair();
    await client.write(GET('/1'));
    const req = await conn.read();
    conn.close();
    expect(listenerCounts(socket)).toEqual(listenersBefore);
    await client.clientEnded();
    conn.close();
    await expect(conn.read()).rejects.toBe(ErrClosed);
    await expect(conn.write(req, new Response(200))).rejects.toBe(ErrClosed);
    expect(() => conn.hijack()).toThrow(ErrClosed);
  });

  it('fails a write waiting its turn with ErrClosed when the conn closes first', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/1') + GET('/2'));
    const r1 = await conn.read();
    const r2 = await conn.read();
    const second = conn.write(r2, new Response(200));
    conn.close();
    await expect(conn.write(r1, new Response(200))).rejects.toBe(ErrClosed);
    await expect(second).rejects.toBe(ErrClosed);
  });
});

describe('ServerConn sticky errors (persist.go)', () => {
  it('keeps failing writes with the first write error, and reads too', async () => {
    const { conn, client } = await serverConnPair();
    await client.write(GET('/1') + GET('/2'));
    const r1 = await conn.read();
    const r2 = await conn.read();
    const boom = new Error('body source failed');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('partial');
      throw boom;
    }
    await expect(conn.write(r1, new Response(200, { body: failing() }))).rejects.toBe(boom);
    await expect(conn.write(r2, new Response(200))).rejects.toBe(boom);
    await expect(conn.read()).rejects.toBe(boom);
  });

  it('keeps failing reads with the first parse error', async () => {
    const { conn, client } = await serverConnPair();
    await client.write('\x01GET / HTTP/1.1\r\n\r\n');
    const first = await conn.read().catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'HPE_INVALID_METHOD' });
    await client.write(GET('/valid'));
    await expect(conn.read()).rejects.toBe(first);
    await expect(conn.read()).rejects.toBe(first);
  });
});
