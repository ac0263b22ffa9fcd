import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type SecureContext, TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../../src/forward/mitm/index.js';
import { rejection } from '../../helpers/waiting.js';

const run = promisify(execFile);
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'httpwire-ca-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** openssl runs the openssl command line in the test's directory and returns its stdout. */
async function openssl(...args: string[]): Promise<string> {
  const { stdout } = await run('openssl', args, { cwd: dir, timeout: 10_000 });
  return stdout;
}

/**
 * handshake serves TLS with `ca`'s leaf for the SNI name (or for `host`
 * when the client sends no SNI), connects trusting only `ca.certPEM` and returns
 * the certificate the client was shown.
 */
async function handshake(
  ca: CertificateAuthority,
  host: string,
  servername: string | undefined,
): Promise<X509Certificate> {
  const fixed = await ca.secureContextFor(host);
  const server = createNetServer((raw) => {
    const tls = new TLSSocket(raw, {
      isServer: true,
      secureContext: fixed,
      SNICallback: (name, cb) => {
        ca.secureContextFor(name).then(
          (ctx: SecureContext) => cb(null, ctx),
          (err: Error) => cb(err),
        );
      },
    });
    tls.on('error', () => tls.destroy());
    tls.on('end', () => tls.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    const socket = connect({ host: '127.0.0.1', port, servername, ca: ca.certPEM });
    await once(socket, 'secureConnect');
    const cert = socket.getPeerX509Certificate()!;
    socket.destroy();
    return cert;
  } finally {
    server.close();
  }
}

/** verified writes the CA and `leaf` to files and returns what `openssl verify` says of the leaf. */
async function verified(ca: CertificateAuthority, leaf: X509Certificate): Promise<string> {
  await writeFile(join(dir, 'ca.pem'), ca.certPEM);
  await writeFile(join(dir, 'leaf.pem'), leaf.toString());
  return openssl('verify', '-CAfile', 'ca.pem', '-purpose', 'sslserver', 'leaf.pem');
}

describe('CertificateAuthority', () => {
  it('issues leaves that openssl verify accepts against the CA', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'Test Interception CA' });
    const leaf = await handshake(ca, 'example.com', 'www.example.com');
    expect(leaf.subjectAltName).toBe('DNS:www.example.com');
    expect(leaf.issuer).toBe('CN=Test Interception CA');
    expect(leaf.checkIssued(new X509Certificate(ca.certPEM))).toBe(true);
    expect(await verified(ca, leaf)).toBe('leaf.pem: OK\n');
    expect(new X509Certificate(ca.certPEM).ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.publicKey.asymmetricKeyType).toBe('ec');
  });

  it('gives leaves a short validity that starts a little in the past', async () => {
    const ca = await CertificateAuthority.create({ leafValidityDays: 2 });
    const leaf = await handshake(ca, 'example.com', 'example.com');
    const from = Date.parse(leaf.validFrom);
    const to = Date.parse(leaf.validTo);
    expect(Date.now() - from).toBeGreaterThan(30 * 60_000);
    expect(to - Date.now()).toBeGreaterThan(47 * 3_600_000);
    expect(to - Date.now()).toBeLessThan(49 * 3_600_000);
  });

  it('puts IP addresses in IP SANs, for a client that sends no SNI', async () => {
    const ca = await CertificateAuthority.create();
    const leaf = await handshake(ca, '127.0.0.1', undefined); // node:tls checks the IP SAN
    expect(leaf.subjectAltName).toBe('IP Address:127.0.0.1');
    const v6 = await ca.secureContextFor('[::1]');
    expect(v6).toBe(await ca.secureContextFor('::1'));
  });

  it('makes an RSA 2048 CA and RSA leaves with keyType rsa2048', async () => {
    const ca = await CertificateAuthority.create({ keyType: 'rsa2048' });
    const root = new X509Certificate(ca.certPEM);
    expect(root.publicKey.asymmetricKeyType).toBe('rsa');
    expect(root.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const leaf = await handshake(ca, 'rsa.test', 'rsa.test');
    expect(leaf.publicKey.asymmetricKeyType).toBe('rsa');
    expect(await verified(ca, leaf)).toBe('leaf.pem: OK\n');
  });

  it('caches a context per name, shares a concurrent issuance and drops the least recently used', async () => {
    const ca = await CertificateAuthority.create({ cacheSize: 2 });
    const [a1, a2] = await Promise.all([
      ca.secureContextFor('a.test'),
      ca.secureContextFor('A.test.'),
    ]);
    expect(a1).toBe(a2);
    const b = await ca.secureContextFor('b.test');
    expect(await ca.secureContextFor('a.test')).toBe(a1); // a is now the most recent
    await ca.secureContextFor('c.test'); // drops b
    expect(await ca.secureContextFor('a.test')).toBe(a1);
    expect(await ca.secureContextFor('b.test')).not.toBe(b);
  });

  it('refuses names that are neither DNS names nor IP addresses with ERR_INVALID_HOST', async () => {
    const ca = await CertificateAuthority.create();
    for (const bad of ['', 'a b', 'a..b', 'x/y', `${'a'.repeat(64)}.test`, 'CN=x,O=y']) {
      expect(() => ca.secureContextFor(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_HOST' }),
      );
    }
  });

  it('issues for a name longer than a common name may be, with the name in the SAN only', async () => {
    const ca = await CertificateAuthority.create();
    const name = `${'a'.repeat(60)}.${'b'.repeat(60)}.test`;
    const leaf = await handshake(ca, 'x.test', name);
    expect(leaf.subjectAltName).toBe(`DNS:${name}`);
    expect(leaf.subject).toBeUndefined();
  });

  it('round-trips through certPEM and keyPEM', async () => {
    const ca = await CertificateAuthority.create();
    const again = await CertificateAuthority.fromPEM({ cert: ca.certPEM, key: ca.keyPEM });
    expect(again.certPEM).toBe(ca.certPEM);
    const leaf = await handshake(again, 'again.test', 'again.test');
    expect(await verified(ca, leaf)).toBe('leaf.pem: OK\n');
  });

  const formats = [
    [
      'PKCS#8 EC',
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      'BEGIN PRIVATE KEY',
    ],
    ['SEC1 EC', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout'], 'BEGIN EC PRIVATE KEY'],
    [
      'SEC1 EC P-384',
      ['ecparam', '-name', 'secp384r1', '-genkey', '-noout'],
      'BEGIN EC PRIVATE KEY',
    ],
    [
      'PKCS#8 RSA',
      ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
      'BEGIN PRIVATE KEY',
    ],
    ['PKCS#1 RSA', ['genrsa', '-traditional', '2048'], 'BEGIN RSA PRIVATE KEY'],
  ] as const;
  for (const [format, genkey, banner] of formats) {
    it(`loads an openssl CA with a ${format} key`, async () => {
      const key = await openssl(...genkey);
      expect(key).toContain(banner);
      await writeFile(join(dir, 'key.pem'), key);
      // prettier-ignore
      await openssl('req', '-x509', '-new', '-key', 'key.pem', '-subj', '/O=Tests/CN=OpenSSL CA', '-days', '2',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign',
        '-out', 'openssl-ca.pem');
      const cert = await readFile(join(dir, 'openssl-ca.pem'), 'utf8');
      const ca = await CertificateAuthority.fromPEM({ cert, key });
      expect(ca.keyPEM).toContain('BEGIN PRIVATE KEY');
      const leaf = await handshake(ca, 'loaded.test', 'loaded.test');
      expect(leaf.issuer).toBe('O=Tests\nCN=OpenSSL CA');
      expect(await verified(ca, leaf)).toBe('leaf.pem: OK\n');
    });
  }

  it('rejects a key that is not the certificate key, and unreadable input, with typed errors', async () => {
    const one = await CertificateAuthority.create();
    const two = await CertificateAuthority.create();
    expect(
      await rejection(CertificateAuthority.fromPEM({ cert: one.certPEM, key: two.keyPEM })),
    ).toMatchObject({ code: 'ERR_CA_KEY_MISMATCH' });
    expect(
      await rejection(CertificateAuthority.fromPEM({ cert: one.certPEM, key: 'not a key' })),
    ).toMatchObject({ code: 'ERR_CA_KEY' });
    expect(
      await rejection(CertificateAuthority.fromPEM({ cert: 'not a cert', key: one.keyPEM })),
    ).toMatchObject({ code: 'ERR_CA_CERT' });
    const ed = await openssl('genpkey', '-algorithm', 'ed25519');
    expect(
      await rejection(CertificateAuthority.fromPEM({ cert: one.certPEM, key: ed })),
    ).toMatchObject({ code: 'ERR_CA_KEY', message: expect.stringContaining('ed25519') });
  });
});
