/**
 * The soak's pass/fail rules. The run fails if any response was wrong (a
 * wrong body, an answer to another request, a short body presented as
 * complete), if any request failed for a reason other than its client
 * giving up on purpose (a 502 from a healthy backend counts), if the proxy's
 * memory kept growing (memory-trend.ts), or if the proxy still held client
 * connections after every client had closed.
 */
import type { MemoryTrend } from './memory-trend.js';
import { WRONG } from './outcome.js';
import { count, formatCounts } from './report.js';
import type { Tally } from './stats.js';

/** RunFacts: what the rules look at. */
export interface RunFacts {
  total: Tally;
  /** Null when the run was too short to judge memory. */
  memory: MemoryTrend | null;
  /** Client connections the proxy still had open once every client had closed. */
  openAfter: number;
}

/** failuresOf lists the rules the run broke, as sentences; an empty list is a pass. */
export function failuresOf(facts: RunFacts): string[] {
  const failures: string[] = [];
  const wrong = new Map([...facts.total.errors].filter(([kind]) => WRONG.has(kind)));
  const unexpected = new Map([...facts.total.errors].filter(([kind]) => !WRONG.has(kind)));
  if (facts.total.ok === 0) failures.push('no request succeeded');
  if (wrong.size > 0) failures.push(`wrong answers: ${formatCounts(wrong)}`);
  if (unexpected.size > 0) failures.push(`unexpected errors: ${formatCounts(unexpected)}`);
  failures.push(...(facts.memory?.failures ?? []));
  if (facts.openAfter > 0) {
    failures.push(`${count(facts.openAfter)} client connection(s) still open at the proxy`);
  }
  return failures;
}
