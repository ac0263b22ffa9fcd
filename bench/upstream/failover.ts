/**
 * The failover run: wrk's GETs (idempotent) through httpwire's balancer
 * over 4 backends, one of which is killed a third of the way in. Each
 * round starts fresh backends and a fresh balancer, so every round sees a
 * kill of a warm, pooled target.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { runWrk } from '../conn/wrk.js';
import { startBackends, startBalancerChild } from './children.js';
import type { BalancerReport } from './serve-balancer.js';

/** FailoverRound: one kill under load. */
export interface FailoverRound {
  requests: number;
  /** Requests wrk saw fail: non-2xx answers and socket errors. */
  failed: number;
  /** Milliseconds from the kill to the target's ejection, or null when it was never ejected. */
  ejectedAfterMs: number | null;
  /** The balancer's reason for the ejection. */
  reason: string | null;
  /** Attempts that failed on the killed target, each sent on to another one (the balancer's `failures`). */
  failedOver: number;
}

/** KILLED: which of the 4 backends dies. */
const KILLED = 2;

/** failoverRound runs wrk for `seconds` and kills backend KILLED after a third of them. */
export async function failoverRound(seconds: number, connections: number): Promise<FailoverRound> {
  const backends = await startBackends(4);
  const balancer = await startBalancerChild('httpwire-lb', backends.ports);
  try {
    const load = runWrk({ port: balancer.port, seconds, connections, pipelined: false });
    await sleep((seconds * 1000) / 3);
    backends.child.send(`kill ${KILLED}`);
    const { at: killedAt } = await backends.child.nextJSON<{ at: number }>();
    const result = await load;
    balancer.child.send('report');
    const { events, status } = await balancer.child.nextJSON<BalancerReport>();
    const url = `http://127.0.0.1:${backends.ports[KILLED]}/`;
    const ejection = events.find((e) => e.url === url && !e.healthy);
    const killed = status?.find((s) => s.url === url);
    return {
      requests: result.requests,
      failed: result.non2xx + result.socketErrors,
      ejectedAfterMs: ejection === undefined ? null : ejection.at - killedAt,
      reason: ejection?.reason ?? null,
      failedOver: killed?.failures ?? 0,
    };
  } finally {
    await Promise.all([backends.child.stop(), balancer.child.stop()]);
  }
}
