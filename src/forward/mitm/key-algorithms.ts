import { createPrivateKey, createPublicKey, type KeyObject, webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
import { transportError as caError } from '../../transport/errors.js';

/** KeyType names the key pairs a CertificateAuthority makes: ECDSA P-256 or RSA 2048. */
export type KeyType = 'ecdsa-p256' | 'rsa2048';

/** Algorithms is what WebCrypto needs to make, import and sign with one kind of key. */
export interface Algorithms {
  key: webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams;
  signing: webcrypto.RsaHashedImportParams | webcrypto.EcdsaParams;
}

const RSA: Algorithms = {
  key: {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  },
  signing: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
};

/** EC curves by OpenSSL name, with the hash a signature of that strength uses (RFC 5480 §4). */
const CURVES: Record<string, Algorithms> = {
  prime256v1: {
    key: { name: 'ECDSA', namedCurve: 'P-256' },
    signing: { name: 'ECDSA', hash: 'SHA-256' },
  },
  secp384r1: {
    key: { name: 'ECDSA', namedCurve: 'P-384' },
    signing: { name: 'ECDSA', hash: 'SHA-384' },
  },
};

/** algorithmsFor returns the algorithms of a new key of `type`; anything else throws a TypeError. */
export function algorithmsFor(type: KeyType): Algorithms {
  if (type === 'rsa2048') return RSA;
  if (type === 'ecdsa-p256') return CURVES.prime256v1!;
  throw new TypeError(`unsupported keyType ${JSON.stringify(type)}: use 'ecdsa-p256' or 'rsa2048'`);
}

/** ImportedKey is a PEM private key read into WebCrypto, with its public half as SPKI DER. */
export interface ImportedKey {
  algorithms: Algorithms;
  privateKey: CryptoKey;
  spki: Buffer;
}

/**
 * importPrivateKey reads a PEM private key in PKCS#8, SEC1 (`EC PRIVATE
 * KEY`) or PKCS#1 (`RSA PRIVATE KEY`) form; node:crypto converts it to
 * PKCS#8 for WebCrypto. RSA keys and the P-256 and P-384 curves are
 * supported; anything else, or text that is not a key, throws `ERR_CA_KEY`.
 */
export async function importPrivateKey(pem: string): Promise<ImportedKey> {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw caError('ERR_CA_KEY', `unreadable private key: ${(err as Error).message}`, err);
  }
  const algorithms =
    key.asymmetricKeyType === 'rsa'
      ? RSA
      : key.asymmetricKeyType === 'ec'
        ? CURVES[key.asymmetricKeyDetails?.namedCurve ?? '']
        : undefined;
  if (algorithms === undefined) {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const kind = `${key.asymmetricKeyType ?? 'unknown'}${curve === undefined ? '' : ` ${curve}`}`;
    throw caError('ERR_CA_KEY', `unsupported key type ${kind}: use RSA, P-256 or P-384`);
  }
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const privateKey = await webcrypto.subtle.importKey(
    'pkcs8',
    pkcs8,
    { ...algorithms.key, ...algorithms.signing },
    true,
    ['sign'],
  );
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return { algorithms, privateKey, spki };
}

/** exportPrivateKeyPEM writes a WebCrypto private key as PKCS#8 PEM. */
export async function exportPrivateKeyPEM(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
}
