/** Small waiting helpers shared by the test harnesses; every wait is bounded. */

/** within rejects with a clear error when `promise` does not settle in `ms`, so a hang fails fast. */
export async function within<T>(promise: Promise<T>, ms = 3000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
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
