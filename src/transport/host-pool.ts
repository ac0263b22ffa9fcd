import type { AbortWatch } from '../message/abort-watch.js';
import type { PersistConn } from './persist-conn.js';
import { abortError } from './errors.js';

/** HostPool: the connections of one origin. `open` counts dialing, busy and idle ones. */
export interface HostPool {
  idle: PersistConn[]; // most recently used last
  open: number;
  /** Requests waiting for a slot under `maxConnsPerHost`: given an idle conn, or null to dial. */
  waiting: Waiter[];
}

export interface Waiter {
  resolve(pc: PersistConn | null): void;
  reject(err: Error): void;
}

/** waitForSlot queues for a connection slot of `pool`, abortably. */
export function waitForSlot(
  pool: HostPool,
  abort: AbortWatch | undefined,
): Promise<PersistConn | null> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      const at = pool.waiting.indexOf(waiter);
      if (at !== -1) pool.waiting.splice(at, 1);
      reject(abortError(abort!));
    };
    const waiter: Waiter = {
      resolve(pc) {
        abort?.unwatch(onAbort);
        resolve(pc);
      },
      reject(err) {
        abort?.unwatch(onAbort);
        reject(err);
      },
    };
    pool.waiting.push(waiter);
    abort?.watch(onAbort);
  });
}

/**
 * HostPools: a Transport's pools, one per key (an origin, or a proxy route).
 * It parks idle connections (most recently used taken first), counts open
 * ones against the per-key limit and hands freed slots to waiting requests.
 */
export class HostPools {
  readonly #pools = new Map<string, HostPool>();
  readonly #maxIdle: number;
  readonly #idleTimeout: number;

  constructor(maxIdle: number, idleTimeout: number) {
    this.#maxIdle = maxIdle;
    this.#idleTimeout = idleTimeout;
  }

  /** takeIdle takes the most recently idle live connection of pool `key`, or returns null: at once, no promise job. */
  takeIdle(key: string): PersistConn | null {
    for (;;) {
      const pc = this.#pools.get(key)?.idle.pop(); // closing a dead one may drop the pool
      if (pc === undefined) return null;
      if (pc.wake()) return pc;
    }
  }

  /** pool returns the pool of `key`, made empty when there is none. */
  pool(key: string): HostPool {
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = { idle: [], open: 0, waiting: [] };
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /** putIdle hands `pc` to a waiting request, parks it, or closes it when the pool is full or `closing`. */
  putIdle(pc: PersistConn, closing: boolean): void {
    const pool = this.pool(pc.key);
    const waiter = pool.waiting.shift();
    if (waiter !== undefined) {
      pc.reused = true;
      waiter.resolve(pc);
      return;
    }
    if (closing || pool.idle.length >= this.#maxIdle) {
      pc.close(); // Go's errTooManyIdleHost
      return;
    }
    pc.idle(this.#idleTimeout);
    pool.idle.push(pc);
  }

  /** onClosed forgets a closed connection and frees its slot. */
  onClosed(pc: PersistConn): void {
    const pool = this.#pools.get(pc.key);
    if (pool === undefined) return;
    const at = pool.idle.indexOf(pc);
    if (at !== -1) pool.idle.splice(at, 1);
    this.freeSlot(pc.key);
  }

  /** freeSlot gives a connection slot of `key` to the first waiting request (which dials), or drops it. */
  freeSlot(key: string): void {
    const pool = this.#pools.get(key);
    if (pool === undefined) return;
    const waiter = pool.waiting.shift();
    if (waiter !== undefined) {
      waiter.resolve(null);
      return;
    }
    pool.open--;
    if (pool.open === 0) this.#pools.delete(key);
  }

  /** closeIdle closes every idle connection; busy ones are left alone. */
  closeIdle(): void {
    for (const pool of [...this.#pools.values()]) {
      for (const pc of pool.idle.splice(0)) pc.close();
    }
  }

  /** rejectWaiting fails every request waiting for a slot with `err`. */
  rejectWaiting(err: () => Error): void {
    for (const pool of this.#pools.values()) {
      for (const waiter of pool.waiting.splice(0)) waiter.reject(err());
    }
  }
}
