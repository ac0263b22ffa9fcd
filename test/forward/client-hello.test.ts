/**
 * parseClientHello and sniffKind on ClientHellos captured from Node's own
 * TLS client (with and without SNI, with ALPN), cut short and corrupted.
 */
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { clientHelloRecordLength, parseClientHello } from '../../src/forward/client-hello.js';
import { sniffKind } from '../../src/forward/sniff.js';
import { within } from '../helpers/waiting.js';

/** captureHello returns the first bytes a TLS client sends to `servername` (none for an IP) with `alpn`. */
async function captureHello(servername: string | undefined, alpn?: string[]): Promise<Buffer> {
  let peer: Socket | undefined;
  const server = createServer((socket) => (peer = socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const client = tlsConnect({ host: '127.0.0.1', port, servername, ALPNProtocols: alpn });
  client.on('error', () => undefined);
  while (peer === undefined) await new Promise((r) => setTimeout(r, 2));
  const [first] = (await within(once(peer, 'data'))) as [Buffer];
  client.destroy();
  peer.destroy();
  server.close();
  return first;
}

describe('parseClientHello', () => {
  it('reads the SNI name (lower-cased) and the ALPN list', async () => {
    const hello = await captureHello('WWW.Example.COM', ['h2', 'http/1.1']);
    expect(clientHelloRecordLength(hello)).toBe(hello.length);
    expect(parseClientHello(hello)).toEqual({
      serverName: 'www.example.com',
      alpnProtocols: ['h2', 'http/1.1'],
    });
  });

  it('gives a null serverName when the client sent no SNI', async () => {
    const hello = await captureHello(undefined);
    expect(parseClientHello(hello)).toEqual({ serverName: null, alpnProtocols: [] });
  });

  it('returns null for a truncated record, a corrupt length, or not TLS', async () => {
    const hello = await captureHello('example.com');
    expect(parseClientHello(hello.subarray(0, hello.length - 1))).toBeNull();
    expect(clientHelloRecordLength(hello.subarray(0, 4))).toBe(0);
    const corrupt = Buffer.from(hello);
    corrupt[5 + 4 + 2 + 32 + 1 + corrupt[5 + 4 + 2 + 32]!] = 0xff; // cipher_suites length past the record
    expect(parseClientHello(corrupt)).toBeNull();
    expect(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toBeNull();
    expect(clientHelloRecordLength(Buffer.from('GET'))).toBe(-1);
  });

  it('never throws on any cut of a real ClientHello', async () => {
    const hello = await captureHello('example.com');
    for (let n = 0; n <= hello.length; n++) {
      const result = parseClientHello(hello.subarray(0, n));
      expect(result === null || n === hello.length).toBe(true);
    }
  });
});

describe('sniffKind', () => {
  it('tells tls, http and other apart, and waits when it cannot tell yet', () => {
    expect(sniffKind(Buffer.from([0x16, 0x03, 0x01]))).toBe('tls');
    expect(sniffKind(Buffer.from([0x16]))).toBeNull();
    expect(sniffKind(Buffer.from('GET / HTTP/1.1'))).toBe('http');
    expect(sniffKind(Buffer.from('M-SEARCH * HTTP/1.1'))).toBe('http');
    expect(sniffKind(Buffer.from('GE'))).toBeNull();
    expect(sniffKind(Buffer.from('SSH-2.0-OpenSSH'))).toBe('other');
    expect(sniffKind(Buffer.from('get / HTTP/1.1'))).toBe('other');
    expect(sniffKind(Buffer.alloc(0))).toBeNull();
  });
});
