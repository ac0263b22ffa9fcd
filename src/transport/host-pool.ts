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
