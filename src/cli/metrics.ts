/**
 * The `/metrics` page of `httpwire proxy --admin`: Prometheus text (format
 * 0.0.4) with per-upstream series. Counters and the latency histogram come
 * from the proxy's backend exchanges; health and load from the balancer's
 * `status()`. With `--workers`, each worker keeps its own and the primary
 * adds them up (snapshots are plain JSON, sent over the cluster's IPC).
 */
import type { UpstreamStatus } from '../upstream/target.js';
import type { UpstreamExchange } from './upstream-exchanges.js';

/** LATENCY_BUCKETS: the histogram's upper bounds in seconds (Prometheus's defaults). */
export const LATENCY_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** UpstreamState: one entry of the balancer's `status()`. */
export type UpstreamState = UpstreamStatus;

/** UpstreamCounts: what one process saw of one upstream. */
export interface UpstreamCounts {
  requests: number;
  /** Exchanges that got no response (dial, reset, timeout). */
  errors: number;
  /** Responses with a 5xx status. */
  responses5xx: number;
  /** Cumulative counts per LATENCY_BUCKETS bound, then +Inf. */
  buckets: number[];
  sumSeconds: number;
}

/** MetricsSnapshot: one process's counters by upstream origin, and its balancer's status (null with one target). */
export interface MetricsSnapshot {
  upstreams: Record<string, UpstreamCounts>;
  status: UpstreamState[] | null;
}

/** UpstreamMetrics counts the backend exchanges of one process. */
export class UpstreamMetrics {
  readonly #counts = new Map<string, UpstreamCounts>();

  /** observe counts one exchange under its upstream's origin. */
  observe(exchange: UpstreamExchange): void {
    let counts = this.#counts.get(exchange.origin);
    if (counts === undefined) {
      counts = emptyCounts();
      this.#counts.set(exchange.origin, counts);
    }
    counts.requests++;
    if (exchange.status === null) counts.errors++;
    else if (exchange.status >= 500) counts.responses5xx++;
    const seconds = exchange.ms / 1000;
    counts.sumSeconds += seconds;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]!) counts.buckets[i]!++;
    }
    counts.buckets[LATENCY_BUCKETS.length]!++;
  }

  /** counts returns the counters of the upstream at `origin` (zeros before its first exchange). */
  counts(origin: string): Readonly<UpstreamCounts> {
    return this.#counts.get(origin) ?? emptyCounts();
  }

  /** snapshot returns a copy of the counters with `status` (the balancer's, if any). */
  snapshot(status: UpstreamState[] | null): MetricsSnapshot {
    const upstreams: Record<string, UpstreamCounts> = {};
    for (const [origin, c] of this.#counts) upstreams[origin] = { ...c, buckets: [...c.buckets] };
    return { upstreams, status };
  }
}

/**
 * mergeSnapshots adds up the snapshots of several workers: counters and
 * buckets are summed; in the status, `requests`, `outstanding` and
 * `failures` are summed, a target is healthy when every worker sees it
 * healthy, `ejectedUntil` is the latest and `latencyEwmaMs` the mean.
 */
export function mergeSnapshots(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot {
  const upstreams: Record<string, UpstreamCounts> = {};
  const status = new Map<string, UpstreamState & { n: number }>();
  let withStatus = false;
  for (const snap of snapshots) {
    for (const [origin, c] of Object.entries(snap.upstreams)) {
      const into = (upstreams[origin] ??= emptyCounts());
      into.requests += c.requests;
      into.errors += c.errors;
      into.responses5xx += c.responses5xx;
      into.sumSeconds += c.sumSeconds;
      c.buckets.forEach((n, i) => (into.buckets[i]! += n));
    }
    if (snap.status === null) continue;
    withStatus = true;
    for (const s of snap.status) {
      const into = status.get(s.url);
      if (into === undefined) {
        status.set(s.url, { ...s, n: 1 });
        continue;
      }
      into.n++;
      into.healthy &&= s.healthy;
      into.outstanding += s.outstanding;
      into.requests += s.requests;
      into.failures += s.failures;
      into.latencyEwmaMs += s.latencyEwmaMs;
      if (s.ejectedUntil !== null)
        into.ejectedUntil = Math.max(into.ejectedUntil ?? 0, s.ejectedUntil);
    }
  }
  const merged = [...status.values()].map(({ n, ...s }) => ({
    ...s,
    latencyEwmaMs: s.latencyEwmaMs / n,
  }));
  return { upstreams, status: withStatus ? merged : null };
}

/** renderMetrics writes `snap` as Prometheus text; `now` (epoch ms) decides which targets are ejected. */
export function renderMetrics(snap: MetricsSnapshot, now = Date.now()): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string) =>
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  const entries = Object.entries(snap.upstreams).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const counter = (name: string, help: string, read: (c: UpstreamCounts) => number) => {
    family(name, 'counter', help);
    for (const [origin, c] of entries) out.push(`${name}{upstream=${label(origin)}} ${read(c)}`);
  };
  counter('httpwire_upstream_requests_total', 'Requests sent to the upstream.', (c) => c.requests);
  counter(
    'httpwire_upstream_errors_total',
    'Requests to the upstream that got no response (refused, reset, timed out).',
    (c) => c.errors,
  );
  counter(
    'httpwire_upstream_responses_5xx_total',
    'Responses from the upstream with a 5xx status.',
    (c) => c.responses5xx,
  );
  const h = 'httpwire_upstream_latency_seconds';
  family(h, 'histogram', 'Time from sending a request to the upstream to its response head.');
  for (const [origin, c] of entries) {
    const upstream = `upstream=${label(origin)}`;
    LATENCY_BUCKETS.forEach((le, i) =>
      out.push(`${h}_bucket{${upstream},le="${le}"} ${c.buckets[i]}`),
    );
    out.push(`${h}_bucket{${upstream},le="+Inf"} ${c.buckets[LATENCY_BUCKETS.length]}`);
    out.push(`${h}_sum{${upstream}} ${c.sumSeconds}`, `${h}_count{${upstream}} ${c.requests}`);
  }
  if (snap.status !== null) {
    const gauge = (name: string, help: string, read: (s: UpstreamState) => number) => {
      family(name, 'gauge', help);
      for (const s of snap.status!)
        out.push(`${name}{upstream=${label(originOf(s.url))}} ${read(s)}`);
    };
    gauge('httpwire_upstream_healthy', '1 when the upstream takes requests, else 0.', (s) =>
      s.healthy && (s.ejectedUntil === null || s.ejectedUntil <= now) ? 1 : 0,
    );
    gauge(
      'httpwire_upstream_outstanding',
      'Requests in flight to the upstream.',
      (s) => s.outstanding,
    );
    gauge('httpwire_upstream_weight', 'The weight of the upstream.', (s) => s.weight);
  }
  return `${out.join('\n')}\n`;
}

/** originOf returns `scheme://host[:port]` of a target URL, the label its exchanges are counted under. */
export function originOf(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

function emptyCounts(): UpstreamCounts {
  return {
    requests: 0,
    errors: 0,
    responses5xx: 0,
    buckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0),
    sumSeconds: 0,
  };
}

/** label quotes a Prometheus label value (`\`, `"` and newline escaped). */
function label(value: string): string {
  return `"${value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`;
}
