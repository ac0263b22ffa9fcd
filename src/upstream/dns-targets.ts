import { promises as dns } from 'node:dns';
import { isIPv6 } from 'node:net';
import type { Upstreams } from './upstreams.js';

/** DnsTargetsOptions: see watchDnsTargets. */
export interface DnsTargetsOptions {
  /** The name to resolve. */
  name: string;
  /** Port of every target. */
  port: number;
  /** `'http'` (default) or `'https'`. */
  scheme?: 'http' | 'https';
  /** Milliseconds between resolutions; default 30000. */
  interval?: number;
  /** Resolves `name` to addresses; default: A records (`dns.promises.resolve4`). */
  resolve?: (name: string) => Promise<readonly string[]>;
  /** Where failed resolutions are logged; default: a line on stderr. */
  errorLog?: ((message: string) => void) | null;
}

/** DnsTargets: the running watch. */
export interface DnsTargets {
  /**
   * refresh resolves the name now, or joins the resolution under way; it
   * settles once the targets are in step, removed ones drained.
   */
  refresh(): Promise<void>;
  /** close stops the interval; the targets stay as they are. */
  close(): void;
}

/**
 * watchDnsTargets keeps the targets of `upstreams` in step with what
 * `name` resolves to: every `interval` ms (and once at once) it adds the
 * addresses that appeared and removes, with draining, those that went. A
 * failed resolution or an empty answer changes nothing (it is logged):
 * a DNS hiccup must not empty the pool. The watch owns every target of
 * `upstreams`: start it with the addresses known now (one target at least,
 * as Upstreams requires) and targets DNS no longer names are removed.
 */
export function watchDnsTargets(upstreams: Upstreams, options: DnsTargetsOptions): DnsTargets {
  const resolve = options.resolve ?? ((name: string) => dns.resolve4(name));
  const scheme = options.scheme ?? 'http';
  const log = options.errorLog ?? ((m: string) => void process.stderr.write(`${m}\n`));
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let running: Promise<void> | null = null;

  const urlOf = (address: string) =>
    `${scheme}://${isIPv6(address) ? `[${address}]` : address}:${options.port}`;

  const sync = async (): Promise<void> => {
    let addresses: readonly string[];
    try {
      addresses = await resolve(options.name);
    } catch (err) {
      log(`upstream dns ${options.name}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (closed) return;
    if (addresses.length === 0) {
      log(`upstream dns ${options.name}: no addresses, keeping the current targets`);
      return;
    }
    // status() URLs end with the path `/`, as these do once parsed.
    const wanted = new Set(addresses.map((a) => `${urlOf(a)}/`));
    const present = upstreams.status().map((s) => s.url);
    try {
      for (const url of wanted) if (!present.includes(url)) upstreams.add(url);
    } catch (err) {
      log(`upstream dns ${options.name}: ${err instanceof Error ? err.message : String(err)}`);
      return; // closed meanwhile
    }
    await Promise.all(
      present.filter((url) => !wanted.has(url)).map((url) => upstreams.remove(url)),
    );
  };

  const refresh = (): Promise<void> => {
    running ??= sync().finally(() => {
      running = null;
    });
    return running;
  };

  const loop = () => {
    timer = null;
    void refresh().then(() => {
      if (!closed) timer = setTimeout(loop, options.interval ?? 30_000).unref();
    });
  };
  loop();
  return {
    refresh,
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
