/**
 * Leak checks for tests that open and break many connections:
 * `expectNoLeaks(scenario)` takes a baseline of the process's resources,
 * runs the scenario (which must close what it opened) and then waits, up to
 * a deadline, for every count to come back to the baseline (or below: the
 * test runner may let go of something of its own meanwhile):
 *
 * - sockets and servers (`process.getActiveResourcesInfo()`: TCPSocketWrap,
 *   TCPServerWrap) and open file descriptors (`/proc/self/fd`, which also
 *   sees unref'd handles);
 * - timers: ref'd ones as Node counts them, and every `setTimeout` or
 *   `setInterval` made during the scenario, unref'd ones included, must
 *   have fired or been cleared (the globals are wrapped meanwhile; a
 *   leftover one is reported with the stack that set it);
 * - `process` listeners, event by event;
 * - heap and ArrayBuffer memory after a full GC, within a small margin.
 *
 * `watchMemory()` samples the peak memory growth while something runs.
 */
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** LeakOptions: how long to wait for the counts, and how much more memory may stay. */
export interface LeakOptions {
  /** Milliseconds to wait for every count to return; default 5000. */
  timeoutMs?: number;
  /** Bytes of heap (and separately of ArrayBuffers) allowed above the baseline after GC; default 8 MiB. */
  memoryMargin?: number;
}

/** Resources: the counts compared with the baseline. */
interface Resources {
  sockets: number;
  servers: number;
  refTimers: number;
  fds: number;
  processListeners: Record<string, number>;
}

const MiB = 1 << 20;

/** collectGarbage is `global.gc`, exposed at run time when node was started without --expose-gc. */
const collectGarbage: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  })();

/**
 * expectNoLeaks runs `scenario` between a baseline and a check that every
 * socket, server, file descriptor, timer and process listener it opened is
 * gone and memory after GC is back within the margin; it throws an Error
 * listing what stayed. A scenario that throws is rethrown unchecked.
 */
export async function expectNoLeaks(
  scenario: () => Promise<void>,
  options: LeakOptions = {},
): Promise<void> {
  const { timeoutMs = 5000, memoryMargin = 8 * MiB } = options;
  const memoryBefore = await memoryAfterGC();
  const before = resources();
  const timers = new TimerWatch();
  try {
    await scenario();
    await backToBaseline(before, memoryBefore, timers, timeoutMs, memoryMargin);
  } finally {
    timers.stop();
  }
}

async function backToBaseline(
  before: Resources,
  memoryBefore: NodeJS.MemoryUsage,
  timers: TimerWatch,
  timeoutMs: number,
  memoryMargin: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const problems = diff(before, resources());
    if (timers.live.size > 0) {
      problems.push(`${timers.live.size} timer(s) still pending, set at:\n${timers.sites()}`);
    }
    const memory = await memoryAfterGC();
    if (memory.heapUsed > memoryBefore.heapUsed + memoryMargin) {
      problems.push(`heap ${mib(memoryBefore.heapUsed)} -> ${mib(memory.heapUsed)} after GC`);
    }
    if (memory.arrayBuffers > memoryBefore.arrayBuffers + memoryMargin) {
      problems.push(
        `ArrayBuffers ${mib(memoryBefore.arrayBuffers)} -> ${mib(memory.arrayBuffers)} after GC`,
      );
    }
    if (problems.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`leaked after ${timeoutMs} ms:\n${problems.join('\n')}`);
    }
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** MemoryWatch: the peak growth over the start, in bytes, of what `watchMemory` samples. */
export interface MemoryWatch {
  /** stop ends the sampling and returns the peak growth of RSS, heap and ArrayBuffers. */
  stop(): { rss: number; heapUsed: number; arrayBuffers: number };
}

/** watchMemory samples `process.memoryUsage()` every `everyMs` (default 10) until `stop()`. */
export function watchMemory(everyMs = 10): MemoryWatch {
  const start = process.memoryUsage();
  const peak = { rss: 0, heapUsed: 0, arrayBuffers: 0 };
  const sample = () => {
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss - start.rss);
    peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed - start.heapUsed);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers - start.arrayBuffers);
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

function resources(): Resources {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const processListeners: Record<string, number> = {};
  for (const event of process.eventNames()) {
    processListeners[String(event)] = process.listenerCount(event);
  }
  return {
    sockets: counts.get('TCPSocketWrap') ?? 0,
    servers: counts.get('TCPServerWrap') ?? 0,
    refTimers: counts.get('Timeout') ?? 0,
    fds: readdirSync('/proc/self/fd').length,
    processListeners,
  };
}

function diff(before: Resources, after: Resources): string[] {
  const problems: string[] = [];
  for (const key of ['sockets', 'servers', 'refTimers', 'fds'] as const) {
    if (after[key] > before[key]) problems.push(`${key}: ${before[key]} -> ${after[key]}`);
  }
  const events = new Set([
    ...Object.keys(before.processListeners),
    ...Object.keys(after.processListeners),
  ]);
  for (const event of events) {
    const was = before.processListeners[event] ?? 0;
    const now = after.processListeners[event] ?? 0;
    if (now > was) problems.push(`process '${event}' listeners: ${was} -> ${now}`);
  }
  return problems;
}

async function memoryAfterGC(): Promise<NodeJS.MemoryUsage> {
  collectGarbage();
  await new Promise((resolve) => setImmediate(resolve)); // FinalizationRegistry callbacks run
  collectGarbage();
  return process.memoryUsage();
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

type TimerSetter = (
  callback: (...args: unknown[]) => void,
  ms?: number,
  ...args: unknown[]
) => NodeJS.Timeout;

/**
 * TimerWatch wraps the global timer functions until `stop()`: `live` holds
 * every timeout set since that has neither fired nor been cleared, and
 * every interval not cleared, with the stack that set it.
 */
class TimerWatch {
  readonly live = new Map<NodeJS.Timeout, Error>(); // the Error's stack is formatted only if reported
  readonly #saved = {
    setTimeout: globalThis.setTimeout,
    setInterval: globalThis.setInterval,
    clearTimeout: globalThis.clearTimeout,
    clearInterval: globalThis.clearInterval,
  };

  constructor() {
    const { live } = this;
    const saved = this.#saved;
    const watch = (set: TimerSetter, once: boolean): TimerSetter => {
      const watched: TimerSetter = (callback, ms, ...args) => {
        const timer: NodeJS.Timeout = set(
          (...values: unknown[]) => {
            if (once) live.delete(timer);
            callback(...values);
          },
          ms,
          ...args,
        );
        live.set(timer, new Error('set here'));
        return timer;
      };
      // util.promisify(setTimeout) keeps working while wrapped.
      const custom = (set as { [promisify.custom]?: unknown })[promisify.custom];
      return Object.assign(watched, { [promisify.custom]: custom });
    };
    const clear =
      (original: (timer?: NodeJS.Timeout | string | number) => void) =>
      (timer?: NodeJS.Timeout | string | number) => {
        if (typeof timer === 'object') live.delete(timer);
        original(timer);
      };
    Object.assign(globalThis, {
      setTimeout: watch(saved.setTimeout as unknown as TimerSetter, true),
      setInterval: watch(saved.setInterval as unknown as TimerSetter, false),
      clearTimeout: clear(saved.clearTimeout),
      clearInterval: clear(saved.clearInterval),
    });
  }

  /** stop puts the original timer functions back. */
  stop(): void {
    Object.assign(globalThis, this.#saved);
  }

  /** sites lists where the live timers were set, most frequent first. */
  sites(): string {
    const counts = new Map<string, number>();
    for (const where of this.live.values()) {
      const site = (where.stack ?? '').split('\n').slice(2, 6).join('\n');
      counts.set(site, (counts.get(site) ?? 0) + 1);
    }
    return [...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([site, n]) => `${n} x\n${site}`)
      .join('\n');
  }
}
