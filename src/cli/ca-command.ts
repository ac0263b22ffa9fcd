/**
 * `httpwire ca create DIR [--common-name NAME] [--key-type ecdsa-p256|rsa2048]`
 * makes a certificate authority for `httpwire forward --mitm-ca DIR`:
 * DIR/ca.pem (the certificate clients trust) and DIR/ca-key.pem (its
 * private key, mode 0600). Existing files are never overwritten.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from './command.js';
import { readFlags, UsageError } from './flags.js';

/** CA_CERT_FILE and CA_KEY_FILE: the names `ca create` writes and `forward --mitm-ca` reads in DIR. */
export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca-key.pem';

const USAGE = `usage: httpwire ca create DIR [--common-name NAME] [--key-type ecdsa-p256|rsa2048]

  Creates DIR if needed and writes a new certificate authority for TLS interception:
  DIR/${CA_CERT_FILE} (the certificate: give it to clients) and DIR/${CA_KEY_FILE} (its private
  key, mode 0600: keep it secret). Existing files are not overwritten.

  --common-name NAME   the CA certificate's name (default "httpwire CA")
  --key-type TYPE      ecdsa-p256 (default) or rsa2048
  --help               show this help
`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = readFlags(argv, {
    'common-name': { kind: 'string' },
    'key-type': { kind: 'string' },
  });
  if (values.has('help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [action, dir, ...extra] = positionals;
  if (action !== 'create')
    throw new UsageError(action === undefined ? 'no action given' : `unknown action ${action}`);
  if (dir === undefined) throw new UsageError('ca create wants a directory');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const keyType = (values.get('key-type')?.[0] as string | undefined) ?? 'ecdsa-p256';
  if (keyType !== 'ecdsa-p256' && keyType !== 'rsa2048') {
    throw new UsageError(`--key-type wants ecdsa-p256 or rsa2048, got ${JSON.stringify(keyType)}`);
  }
  const commonName = values.get('common-name')?.[0] as string | undefined;
  // Loaded here, not at start-up: @peculiar/x509 is for this command and --mitm-ca only.
  const { CertificateAuthority } = await import('../forward/mitm/index.js');
  const ca = await CertificateAuthority.create({ commonName, keyType });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  try {
    // 'wx': fail if the file exists; the key first, so a failure leaves no certificate without it.
    await writeFile(keyPath, ca.keyPEM, { flag: 'wx', mode: 0o600 });
    await writeFile(certPath, ca.certPEM, { flag: 'wx', mode: 0o644 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    process.stderr.write(
      `httpwire: ${(err as NodeJS.ErrnoException).path ?? dir} exists; not overwriting it\n`,
    );
    return 1;
  }
  process.stdout.write(
    `wrote ${certPath} (the CA certificate) and ${keyPath} (its private key, mode 0600)\n` +
      `intercept with it:  httpwire forward --listen 127.0.0.1:8080 --mitm-ca ${dir}\n` +
      `then trust it:      curl -x http://127.0.0.1:8080 --cacert ${certPath} https://example.com/\n`,
  );
  return 0;
}

/** caCommand: `httpwire ca create DIR`, a certificate authority for `forward --mitm-ca`. */
export const caCommand: Command = {
  name: 'ca',
  summary: 'ca create DIR: a certificate authority for TLS interception (forward --mitm-ca)',
  usage: USAGE,
  run,
};
