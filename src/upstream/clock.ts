const origin = performance.timeOrigin;

/**
 * clockNow is the time every part of Upstreams reads (ejections, slow
 * start, the retry budget, latency), in epoch milliseconds with a fraction:
 * the monotonic clock counted from the process's time origin. It stays
 * within milliseconds of `Date.now()` unless the system time is stepped,
 * and then ejections and slow starts still last as long as they should.
 * One read per round trip serves both the bookkeeping and the latency
 * (a clock read costs ~100 ns on a VM, as much as the rest of the pick).
 */
export function clockNow(): number {
  return origin + performance.now();
}
