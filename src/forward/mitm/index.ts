// httpwire/mitm: the certificate authority for TLS interception, the only
// module that loads @peculiar/x509.
export {
  CertificateAuthority,
  type CreateOptions,
  type LeafOptions,
  type PEMOptions,
} from './certificate-authority.js';
export type { KeyType } from './key-algorithms.js';
