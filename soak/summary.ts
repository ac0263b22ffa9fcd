/** The soak's closing summary: totals, latency, the proxy's memory and its trend, logs, leftovers. */
import os from 'node:os';
import { type MemoryTrend, mib } from './memory-trend.js';
import { count, formatCounts, memoryLine, ms } from './report.js';
import type { Sample } from './reporting.js';
import { quantile, type Tally } from './stats.js';

/** SummaryFacts: what the summary reports. */
export interface SummaryFacts {
  /** From the start of the load to now, the drain included. */
  tookS: number;
  durationS: number;
  seed: number;
  warmUpS: number;
  total: Tally;
  /** Null when the run was too short to judge memory. */
  memory: MemoryTrend | null;
  /** The proxy's samples before the load, at the end of the warm-up and at the end. */
  idle: Sample;
  afterWarmUp: Sample;
  end: Sample;
  backendEnd: Sample;
  /** Client connections the proxy still had open once every client had closed. */
  openAfter: number;
}

/** summaryLines lays the summary out, one labelled line per fact. */
export function summaryLines(f: SummaryFacts): string[] {
  const { total, memory } = f;
  return [
    `summary after ${f.tookS.toFixed(0)} s (load for ${f.durationS} s, seed ${f.seed}):`,
    `  requests ok        ${count(total.ok)} (${(total.ok / f.durationS).toFixed(0)}/s), verified byte for byte`,
    `  aborted on purpose ${count(total.aborted)}`,
    `  errors             ${formatCounts(total.errors)}`,
    `  latency (ok)       p50 ${ms(quantile(total.latencies, 0.5))} ms, ` +
      `p99 ${ms(quantile(total.latencies, 0.99))} ms`,
    `  proxy served       ${count(f.end.served)} requests; the backend saw ${count(f.backendEnd.served)}`,
    `  proxy memory idle  ${memoryLine(f.idle)}`,
    `  after warm-up      ${memoryLine(f.afterWarmUp)}`,
    `  at the end         ${memoryLine(f.end)}`,
    ...(memory === null
      ? [
          `  memory trend       not judged: under 30 samples after the ${f.warmUpS.toFixed(0)} s ` +
            'warm-up (runs shorter than 60 s)',
        ]
      : [
          `  heapUsed trend     ${signed(mib(memory.heapPer5Min))} MiB per 5 min ` +
            `(${signed((memory.heapShare * 100).toFixed(1))}% of ${mib(memory.heapMean)} MiB), ` +
            `fitted to ${memory.samples} post-GC samples after the ${f.warmUpS.toFixed(0)} s warm-up`,
          `  RSS trend          ${mib(memory.rssFirst)} -> ${mib(memory.rssLast)} MiB ` +
            `(lowest of the first and last 10 s), ` +
            `${memory.rssMonotonic ? '' : 'not '}growing in every window`,
        ]),
    `  proxy errorLog     ${formatCounts(f.end.logs)}`,
    `  backend errorLog   ${formatCounts(f.backendEnd.logs)}`,
    `  load average       ${os.loadavg()[0]!.toFixed(2)} over the last minute (2 cores: above 2, work waited for a CPU)`,
    `  open at the end    ${f.openAfter} client connection(s) at the proxy, ` +
      `${f.backendEnd.open} (idle) from the proxy to the backend`,
  ];
}

function signed(figure: string): string {
  return figure.startsWith('-') ? figure : `+${figure}`;
}
