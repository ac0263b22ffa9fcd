/** Small waiting helpers shared by the test harnesses; every wait is bounded. */

/**
 * within rejects with a clear error naming `what` when `promise` does not
 * settle in `ms`, so a hang fails fast.
 */
export async function within<T>(
  promise: Promise<T>,
  ms = 3000,
  what = 'the awaited step',
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Deferred: a promise with its resolve function, for ordering steps across peers. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

/** deferred returns a fresh Deferred. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** settles polls `check` every few ms until it holds or `ms` pass; it returns the last result. */
export async function settles(check: () => boolean, ms = 2000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/** rejection turns a promise into its error (or null when it resolves), for asserting rejections by identity. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return null;
}

/** activeHandles counts the live resources of the given kinds (sockets, servers, timers). */
export function activeHandles(kinds: ReadonlySet<string>): number {
  return process.getActiveResourcesInfo().filter((type) => kinds.has(type)).length;
}
