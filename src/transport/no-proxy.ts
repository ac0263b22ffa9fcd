import { BlockList, isIP } from 'node:net';

/**
 * NoProxy matches hosts against a `NO_PROXY` list with curl's rules:
 * entries are separated by commas, SP or HTAB around them (a blank not
 * followed by a comma ends the list, as in curl); `*` as the whole list
 * matches every host; a name matches itself and its subdomains, with or
 * without a leading dot (`example.com` and `.example.com` both match
 * `example.com` and `a.example.com`, not `badexample.com`); `host:port`
 * matches that port only; IP literals (IPv6 with or without brackets)
 * match themselves and CIDR ranges (`10.0.0.0/8`, `fd00::/8`) the
 * addresses in them. Hosts are compared as written, never resolved;
 * names case-insensitively, a trailing dot ignored.
 */
export class NoProxy {
  readonly #all: boolean;
  readonly #names: { name: string; port: number; ip: boolean }[] = []; // port 0: any
  readonly #ranges = new BlockList();
  #hasRanges = false;

  constructor(list: string) {
    const entries = splitList(list);
    this.#all = entries.length === 1 && entries[0] === '*';
    for (const raw of entries) {
      const entry = raw.toLowerCase();
      const slash = entry.indexOf('/');
      if (slash !== -1) {
        this.#addRange(entry.slice(0, slash), entry.slice(slash + 1));
        continue;
      }
      const { host, port } = splitHostPort(entry);
      const name = host.startsWith('.') ? host.slice(1) : host;
      if (name !== '') this.#names.push({ name: stripDot(name), port, ip: isIP(name) !== 0 });
    }
  }

  /** matches reports whether a request to `hostname` (no brackets) on `port` goes direct. */
  matches(hostname: string, port: number): boolean {
    if (this.#all) return true;
    const host = stripDot(hostname.toLowerCase());
    const family = isIP(host);
    if (
      family !== 0 &&
      this.#hasRanges &&
      this.#ranges.check(host, family === 4 ? 'ipv4' : 'ipv6')
    ) {
      return true;
    }
    for (const { name, port: only, ip } of this.#names) {
      if (only !== 0 && only !== port) continue;
      if (host === name) return true;
      if (
        !ip &&
        family === 0 &&
        host.endsWith(name) &&
        host.charCodeAt(host.length - name.length - 1) === 0x2e
      ) {
        return true;
      }
    }
    return false;
  }

  #addRange(address: string, prefixText: string): void {
    const family = isIP(address);
    const prefix = Number(prefixText);
    const max = family === 4 ? 32 : 128;
    if (
      family === 0 ||
      prefixText === '' ||
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > max
    ) {
      return; // curl ignores an entry it cannot read
    }
    this.#ranges.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
    this.#hasRanges = true;
  }
}

/** splitList reads entries as curl's check_noproxy does: blanks, an entry, blanks, then a comma or the end. */
function splitList(list: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < list.length) {
    while (i < list.length && isBlank(list.charCodeAt(i))) i++;
    const start = i;
    while (i < list.length && !isBlank(list.charCodeAt(i)) && list[i] !== ',') i++;
    if (i > start) out.push(list.slice(start, i));
    while (i < list.length && isBlank(list.charCodeAt(i))) i++;
    if (i < list.length && list[i] !== ',') break;
    while (list[i] === ',') i++;
  }
  return out;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** splitHostPort splits `host:port`, `[v6]:port`, `[v6]` or a bare IPv6 address; port 0 when none. */
function splitHostPort(entry: string): { host: string; port: number } {
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    const host = entry.slice(1, close === -1 ? undefined : close);
    const rest = close === -1 ? '' : entry.slice(close + 1);
    return { host, port: rest.startsWith(':') ? portOf(rest.slice(1)) : 0 };
  }
  const colon = entry.indexOf(':');
  if (colon === -1 || entry.indexOf(':', colon + 1) !== -1) return { host: entry, port: 0 }; // a name, or bare IPv6
  return { host: entry.slice(0, colon), port: portOf(entry.slice(colon + 1)) };
}

function portOf(text: string): number {
  const port = Number(text);
  return text !== '' && Number.isInteger(port) && port > 0 && port < 65536 ? port : 0;
}

function stripDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}
