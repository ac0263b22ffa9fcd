/**
 * Whether the proxy's memory keeps growing, judged on its samples after the
 * warm-up: a least-squares line through the post-GC heapUsed samples must
 * not project more than HEAP_GROWTH_LIMIT of the mean heap per 5 minutes,
 * and RSS must not climb window after window by more than RSS_GROWTH_LIMIT.
 */

const MiB = 2 ** 20;
const FIVE_MINUTES_MS = 300_000;

/** HEAP_GROWTH_LIMIT: the largest heap growth per 5 minutes, as a share of the mean heap. */
export const HEAP_GROWTH_LIMIT = 0.1;

/** RSS_GROWTH_LIMIT: the largest growth of a monotonically growing RSS, in bytes. */
export const RSS_GROWTH_LIMIT = 50 * MiB;

/** RSS_WINDOW_MS: RSS is compared as the minimum of each window this long. */
const RSS_WINDOW_MS = 10_000;

/** RSS_JITTER: a window's minimum may sit this far below the previous one and still count as growing. */
const RSS_JITTER = MiB;

/** MIN_SAMPLES: fewer samples than this after the warm-up (one a second) are not judged: a short line's slope is noise. */
const MIN_SAMPLES = 30;

/** MemoryPoint: one sample of the proxy's memory. */
export interface MemoryPoint {
  atMs: number;
  rss: number;
  heapUsed: number;
}

/** MemoryTrend: the fitted heap line and the RSS windows, with the rules they broke. */
export interface MemoryTrend {
  samples: number;
  heapMean: number;
  /** Fitted heap growth over 5 minutes, in bytes (negative: shrinking). */
  heapPer5Min: number;
  /** `heapPer5Min` as a share of `heapMean`. */
  heapShare: number;
  /** Minimum RSS of the first and of the last window. */
  rssFirst: number;
  rssLast: number;
  /** Every window's minimum RSS was at least the previous one's (less RSS_JITTER). */
  rssMonotonic: boolean;
  /** The rules broken, as sentences; empty when memory is flat. */
  failures: string[];
}

/** judgeMemory fits the samples taken from `fromMs` to `toMs`; it returns null when there are too few. */
export function judgeMemory(
  points: readonly MemoryPoint[],
  fromMs: number,
  toMs: number,
): MemoryTrend | null {
  const kept = points.filter((p) => p.atMs >= fromMs && p.atMs <= toMs);
  if (kept.length < MIN_SAMPLES) return null;
  const { slope, meanY } = fitLine(kept.map((p) => [p.atMs, p.heapUsed]));
  const heapPer5Min = slope * FIVE_MINUTES_MS;
  const heapShare = heapPer5Min / meanY;
  const minima = windowMinima(kept, fromMs);
  const rssFirst = minima[0]!;
  const rssLast = minima[minima.length - 1]!;
  const rssMonotonic = minima.every((m, i) => i === 0 || m >= minima[i - 1]! - RSS_JITTER);
  const failures: string[] = [];
  if (heapShare > HEAP_GROWTH_LIMIT) {
    failures.push(
      `heapUsed grows ${mib(heapPer5Min)} MiB per 5 min (${percent(heapShare)} of ` +
        `${mib(meanY)} MiB), over the ${percent(HEAP_GROWTH_LIMIT)} limit`,
    );
  }
  if (rssMonotonic && rssLast - rssFirst > RSS_GROWTH_LIMIT) {
    failures.push(
      `RSS grew in every window, by ${mib(rssLast - rssFirst)} MiB in all, over the ` +
        `${mib(RSS_GROWTH_LIMIT)} MiB limit`,
    );
  }
  return {
    samples: kept.length,
    heapMean: meanY,
    heapPer5Min,
    heapShare,
    rssFirst,
    rssLast,
    rssMonotonic,
    failures,
  };
}

/** fitLine is the least-squares line through `[x, y]` points: its slope and the mean of y. */
function fitLine(points: readonly [number, number][]): { slope: number; meanY: number } {
  const n = points.length;
  const meanX = points.reduce((s, [x]) => s + x, 0) / n;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  }
  return { slope: sxx === 0 ? 0 : sxy / sxx, meanY };
}

/** windowMinima is the smallest RSS of each RSS_WINDOW_MS from `fromMs`, in time order. */
function windowMinima(points: readonly MemoryPoint[], fromMs: number): number[] {
  const minima: number[] = [];
  for (const p of points) {
    const w = Math.floor((p.atMs - fromMs) / RSS_WINDOW_MS);
    minima[w] = Math.min(minima[w] ?? Infinity, p.rss);
  }
  return minima.filter((m) => m !== undefined);
}

/** mib formats bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return (bytes / MiB).toFixed(1);
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
