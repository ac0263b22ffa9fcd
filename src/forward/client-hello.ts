/**
 * A byte-level reader of the first TLS record a client sends: enough of the
 * ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) to route or log a
 * tunnel, as martian and Envoy's tls_inspector peek at it, without a TLS
 * stack. Nothing here allocates per byte; names are decoded once.
 */

/** TLS_HANDSHAKE: the content type of a handshake record, the first byte a TLS client sends. */
export const TLS_HANDSHAKE = 0x16;

/** The record header: type (1), legacy version (2), length (2). */
const RECORD_HEADER = 5;
/** RFC 8446 §5.1: a record carries at most 2^14 bytes of plaintext. */
const MAX_RECORD = 1 << 14;
const CLIENT_HELLO = 0x01;
const EXT_SERVER_NAME = 0x0000;
const EXT_ALPN = 0x0010;
const HOST_NAME = 0x00;

/** ClientHello: what `parseClientHello` reads from a ClientHello. */
export interface ClientHello {
  /** The SNI host name (RFC 6066 §3), lower-cased, or null when the client sent none. */
  serverName: string | null;
  /** The ALPN protocols offered (RFC 7301), in the client's order; empty when none. */
  alpnProtocols: string[];
}

/**
 * clientHelloRecordLength returns how many bytes the first TLS record of
 * `bytes` spans (header included) once its header has arrived, 0 while
 * fewer than 5 bytes are there, and -1 when `bytes` does not start a
 * handshake record (not TLS, or a length past the protocol's maximum).
 */
export function clientHelloRecordLength(bytes: Uint8Array): number {
  if (bytes.length > 0 && bytes[0] !== TLS_HANDSHAKE) return -1;
  if (bytes.length < RECORD_HEADER) return 0;
  if (bytes[1] !== 0x03) return -1; // SSL 3.0 and every TLS version say 3.x here
  const length = (bytes[3]! << 8) | bytes[4]!;
  if (length === 0 || length > MAX_RECORD + 256) return -1; // RFC 8446 §5.2 allows 2^14 + 256
  return RECORD_HEADER + length;
}

/**
 * parseClientHello reads the SNI name and the ALPN list from the
 * ClientHello in the first TLS record of `bytes`. It returns null when
 * `bytes` does not hold a whole record with a well-formed ClientHello
 * (not TLS, truncated, or a ClientHello split over several records, which
 * clients do not send in practice). An SNI name that is not ASCII is read
 * as absent.
 */
export function parseClientHello(bytes: Uint8Array): ClientHello | null {
  const recordEnd = clientHelloRecordLength(bytes);
  if (recordEnd <= 0 || bytes.length < recordEnd) return null;
  const r = new ByteReader(bytes, RECORD_HEADER, recordEnd);
  if (r.u8() !== CLIENT_HELLO) return null;
  const bodyEnd = r.at + 3 + r.u24();
  if (bodyEnd > recordEnd) return null;
  r.skip(2 + 32); // legacy_version, random
  r.skip(r.u8()); // legacy_session_id
  r.skip(r.u16()); // cipher_suites
  r.skip(r.u8()); // legacy_compression_methods
  const hello: ClientHello = { serverName: null, alpnProtocols: [] };
  if (r.at === bodyEnd) return r.ok ? hello : null; // no extensions (SSL 3.0 style)
  const extensionsEnd = r.at + 2 + r.u16();
  if (extensionsEnd > bodyEnd) return null;
  while (r.ok && r.at < extensionsEnd) {
    const type = r.u16();
    const end = r.at + 2 + r.u16();
    if (end > extensionsEnd) return null;
    if (type === EXT_SERVER_NAME) hello.serverName = readServerName(r, end);
    else if (type === EXT_ALPN) readProtocols(r, end, hello.alpnProtocols);
    r.at = end;
  }
  return r.ok && r.at === extensionsEnd ? hello : null;
}

/** readServerName reads a server_name_list up to `end`: its first host_name entry, or null. */
function readServerName(r: ByteReader, end: number): string | null {
  const listEnd = r.at + 2 + r.u16();
  if (listEnd > end) return null;
  while (r.ok && r.at < listEnd) {
    const kind = r.u8();
    const length = r.u16();
    if (kind === HOST_NAME) return r.ascii(length, true);
    r.skip(length);
  }
  return null;
}

/** readProtocols appends each protocol_name of a ProtocolNameList up to `end` to `out`. */
function readProtocols(r: ByteReader, end: number, out: string[]): void {
  const listEnd = r.at + 2 + r.u16();
  if (listEnd > end) return;
  while (r.ok && r.at < listEnd) {
    const name = r.ascii(r.u8(), false);
    if (name !== null) out.push(name);
  }
}

/** ByteReader reads big-endian integers within [at, end); reading past `end` clears `ok`. */
class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #end: number;
  at: number;
  ok = true;

  constructor(bytes: Uint8Array, at: number, end: number) {
    this.#bytes = bytes;
    this.at = at;
    this.#end = end;
  }

  #take(n: number): number {
    const at = this.at;
    if (at + n > this.#end) {
      this.ok = false;
      this.at = this.#end;
      return -1;
    }
    this.at = at + n;
    return at;
  }

  skip(n: number): void {
    this.#take(n);
  }

  u8(): number {
    const at = this.#take(1);
    return at < 0 ? 0 : this.#bytes[at]!;
  }

  u16(): number {
    const at = this.#take(2);
    return at < 0 ? 0 : (this.#bytes[at]! << 8) | this.#bytes[at + 1]!;
  }

  u24(): number {
    const at = this.#take(3);
    return at < 0
      ? 0
      : (this.#bytes[at]! << 16) | (this.#bytes[at + 1]! << 8) | this.#bytes[at + 2]!;
  }

  /** ascii reads `n` printable ASCII bytes (lower-cased when `lower`), or null for anything else. */
  ascii(n: number, lower: boolean): string | null {
    const at = this.#take(n);
    if (at < 0 || n === 0) return null;
    const bytes = this.#bytes;
    for (let i = at; i < at + n; i++) {
      if (bytes[i]! <= 0x20 || bytes[i]! >= 0x7f) return null;
    }
    const s = Buffer.from(bytes.buffer, bytes.byteOffset + at, n).toString('latin1');
    return lower ? s.toLowerCase() : s;
  }
}
