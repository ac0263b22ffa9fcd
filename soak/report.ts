/**
 * What the soak prints: one line per 10 s window while the load runs, then
 * a summary. Figures of the proxy process come from its latest sample.
 */
import { mib } from './memory-trend.js';
import type { Sample } from './reporting.js';
import { quantile, type Tally } from './stats.js';

/** COLUMNS: the window table's headings and widths (the last column, errors, runs free). */
const COLUMNS: readonly [string, number][] = [
  ['time', 6],
  ['ok', 9],
  ['aborted', 8],
  ['p50 ms', 7],
  ['p99 ms', 7],
  ['rss MiB', 8],
  ['heap MiB', 9],
  ['conns', 7],
];

/** windowHeader is the heading of the window table. */
export function windowHeader(): string {
  return row([...COLUMNS.map(([name]) => name), 'errors']);
}

/**
 * windowLine is one window: its label (time since the start, or `end` for
 * the last one, which also holds the requests in flight at the end), its ok
 * and aborted requests, their p50/p99 latency, the proxy's RSS and post-GC
 * heap, open connections (client to proxy / proxy to backend) and the
 * window's errors by kind.
 */
export function windowLine(label: string, tally: Tally, proxy: Sample, backend: Sample): string {
  return row([
    label,
    count(tally.ok),
    count(tally.aborted),
    ms(quantile(tally.latencies, 0.5)),
    ms(quantile(tally.latencies, 0.99)),
    mib(proxy.rss),
    mib(proxy.heapUsed),
    `${proxy.open}/${backend.open}`,
    formatCounts(tally.errors),
  ]);
}

function row(cells: readonly string[]): string {
  return cells
    .map((cell, i) => (i < COLUMNS.length ? cell.padStart(COLUMNS[i]![1]) : cell))
    .join('  ');
}

/** formatCounts lists counts by kind, largest first, or says `none`. */
export function formatCounts(counts: Map<string, number> | Record<string, number>): string {
  const entries = counts instanceof Map ? [...counts] : Object.entries(counts);
  if (entries.length === 0) return 'none';
  return entries
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind}: ${count(n)}`)
    .join(', ');
}

/** count formats an integer with thousands separators. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** ms formats a latency in milliseconds: three significant figures below 100, whole above; `-` for none. */
export function ms(value: number): string {
  if (Number.isNaN(value)) return '-';
  return value < 100 ? value.toPrecision(3) : value.toFixed(0);
}

/** memoryLine describes one proxy sample: RSS, heap used and total, external and array buffers. */
export function memoryLine(sample: Sample): string {
  return (
    `rss ${mib(sample.rss)} MiB, heapUsed ${mib(sample.heapUsed)} MiB ` +
    `(heapTotal ${mib(sample.heapTotal)}), external ${mib(sample.external)} MiB ` +
    `(arrayBuffers ${mib(sample.arrayBuffers)})`
  );
}
