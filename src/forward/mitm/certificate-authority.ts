import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { transportError as caError } from '../../transport/errors.js';
import {
  type Algorithms,
  algorithmsFor,
  exportPrivateKeyPEM,
  importPrivateKey,
  type KeyType,
} from './key-algorithms.js';
import { LeafCache } from './leaf-cache.js';

// @peculiar/x509 works on WebCrypto; Node's is complete.
type WebCrypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
x509.cryptoProvider.set(webcrypto as unknown as WebCrypto);

type CryptoKey = webcrypto.CryptoKey;

const DAY = 86_400_000;
/** Leaf certificates start this long before they are issued: clients with a clock behind ours accept them. */
const BACKDATE = 3_600_000;

/** LeafOptions: how leaf certificates are issued and kept. */
export interface LeafOptions {
  /** Days a leaf certificate is valid; default 7. A cached leaf is reissued after half of that. */
  leafValidityDays?: number;
  /** Leaf certificates kept, least recently used dropped first; default 1000. */
  cacheSize?: number;
}

/** CreateOptions: the new CA's name, lifetime and key type, and how it issues leaves. */
export interface CreateOptions extends LeafOptions {
  /** The CA certificate's subject common name; default `httpwire CA`. */
  commonName?: string;
  /** Days the CA certificate is valid; default 3650. */
  validityDays?: number;
  /** `'ecdsa-p256'` (the default) or `'rsa2048'`; leaf keys are of the same type. */
  keyType?: KeyType;
}

/** PEMOptions: an existing CA certificate and its private key, both PEM. */
export interface PEMOptions extends LeafOptions {
  cert: string;
  /** PKCS#8 (`PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`). */
  key: string;
}

/** LeafKey is the one key pair every leaf of a CA shares, with its parts ready for issuing. */
interface LeafKey {
  keys: webcrypto.CryptoKeyPair;
  pem: string;
  extensions: x509.Extension[]; // subject and authority key identifiers: the same for every leaf
}

/**
 * CertificateAuthority issues the leaf certificates that TLS interception
 * presents to clients. Make one with `create` or `fromPEM`; clients trust
 * it through `certPEM`. Every leaf shares one key pair, made once per CA
 * (as mitmproxy does), so issuing a leaf costs one signature.
 */
export class CertificateAuthority {
  /** certPEM is the CA certificate: what clients add to their trust store (`curl --cacert`). */
  readonly certPEM: string;
  /** keyPEM is the CA private key, PKCS#8 PEM. Keep it secret: it can sign for any name. */
  readonly keyPEM: string;
  readonly #cert: x509.X509Certificate;
  readonly #key: CryptoKey;
  readonly #algorithms: Algorithms;
  readonly #validity: number;
  readonly #leaves: LeafCache<SecureContext>;
  #leafKey: Promise<LeafKey> | null = null;

  private constructor(
    cert: x509.X509Certificate,
    key: CryptoKey,
    keyPEM: string,
    algorithms: Algorithms,
    options: LeafOptions,
  ) {
    const days = options.leafValidityDays ?? 7;
    const cacheSize = options.cacheSize ?? 1000;
    if (!(days > 0) || !Number.isInteger(cacheSize) || cacheSize < 1) {
      throw new TypeError('leafValidityDays must be positive and cacheSize a positive integer');
    }
    this.certPEM = cert.toString('pem') + '\n';
    this.keyPEM = keyPEM;
    this.#cert = cert;
    this.#key = key;
    this.#algorithms = algorithms;
    this.#validity = days * DAY;
    this.#leaves = new LeafCache(cacheSize, this.#validity / 2);
  }

  /**
   * create makes a new self-signed CA: a key of `keyType` (ECDSA P-256 by
   * default), a certificate for `commonName` valid `validityDays` (3650),
   * constrained to sign leaves only (path length 0).
   */
  static async create(options: CreateOptions = {}): Promise<CertificateAuthority> {
    const algorithms = algorithmsFor(options.keyType ?? 'ecdsa-p256');
    const days = options.validityDays ?? 3650;
    if (!(days > 0)) throw new TypeError('validityDays must be positive');
    const keys = await webcrypto.subtle.generateKey(algorithms.key, true, ['sign', 'verify']);
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serialNumber(),
      name: [{ CN: [options.commonName ?? 'httpwire CA'] }],
      notBefore: new Date(now - BACKDATE),
      notAfter: new Date(now + days * DAY),
      keys,
      signingAlgorithm: algorithms.signing,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const keyPEM = await exportPrivateKeyPEM(keys.privateKey);
    return new CertificateAuthority(cert, keys.privateKey, keyPEM, algorithms, options);
  }

  /**
   * fromPEM loads an existing CA. A certificate that does not parse throws
   * `ERR_CA_CERT`; a key that does not parse or is of an unsupported type
   * (RSA, P-256 and P-384 are supported) throws `ERR_CA_KEY`; a key that is
   * not the certificate's throws `ERR_CA_KEY_MISMATCH`.
   */
  static async fromPEM(options: PEMOptions): Promise<CertificateAuthority> {
    let cert: x509.X509Certificate;
    try {
      cert = new x509.X509Certificate(options.cert);
    } catch (err) {
      throw caError('ERR_CA_CERT', `unreadable CA certificate: ${(err as Error).message}`, err);
    }
    const key = await importPrivateKey(options.key);
    if (!key.spki.equals(Buffer.from(cert.publicKey.rawData))) {
      throw caError('ERR_CA_KEY_MISMATCH', 'the private key is not the CA certificate key');
    }
    const keyPEM = await exportPrivateKeyPEM(key.privateKey);
    return new CertificateAuthority(cert, key.privateKey, keyPEM, key.algorithms, options);
  }

  /**
   * secureContextFor returns a TLS context presenting a leaf certificate
   * for `hostname`, signed by this CA: an IP address (IPv6 with or without
   * brackets) becomes an IP SAN, anything else a DNS SAN; names are
   * lower-cased and lose a trailing dot. Contexts are cached per name (see
   * `LeafOptions`); concurrent calls for one name share one issuance. A
   * name that is neither an IP address nor a DNS name throws `ERR_INVALID_HOST`.
   */
  secureContextFor(hostname: string): Promise<SecureContext> {
    const name = canonicalName(hostname);
    return this.#leaves.get(name, () => this.#issue(name));
  }

  async #issue(name: string): Promise<SecureContext> {
    const leafKey = await (this.#leafKey ??= this.#makeLeafKey());
    const now = Date.now();
    const ip = isIP(name) !== 0;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: name.length <= 64 ? [{ CN: [name] }] : [], // RFC 5280: ub-common-name is 64
      issuer: this.#cert.subjectName,
      notBefore: new Date(now - BACKDATE),
      notAfter: new Date(now + this.#validity),
      publicKey: leafKey.keys.publicKey,
      signingKey: this.#key,
      signingAlgorithm: this.#algorithms.signing,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: ip ? 'ip' : 'dns', value: name }]),
        ...leafKey.extensions,
      ],
    });
    return createSecureContext({ key: leafKey.pem, cert: cert.toString('pem') });
  }

  async #makeLeafKey(): Promise<LeafKey> {
    const keys = await webcrypto.subtle.generateKey(this.#algorithms.key, true, ['sign', 'verify']);
    const extensions = [
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(this.#cert.publicKey),
    ];
    return { keys, pem: await exportPrivateKeyPEM(keys.privateKey), extensions };
  }
}

/** serialNumber is 16 random bytes as a positive DER integer in hex (CA/B Forum: at least 64 bits of entropy). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** canonicalName lower-cases `hostname`, drops IPv6 brackets and a trailing dot, and checks it. */
function canonicalName(hostname: string): string {
  let name = hostname.toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (isIP(name) !== 0) return name;
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (!isDNSName(name)) {
    throw caError('ERR_INVALID_HOST', `cannot issue a certificate for ${JSON.stringify(hostname)}`);
  }
  return name;
}

/** isDNSName: 1 to 253 characters of labels of 1 to 63 letters, digits, `-` or `_`. */
function isDNSName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  let label = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e) {
      if (label === 0) return false;
      label = 0;
      continue;
    }
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}
