/**
 * The IPC the soak's child processes (the proxy and the backend) speak with
 * the parent: a child says `ready` with its port once listening, then sends
 * a Sample every REPORT_MS and whenever the parent asks with `sample`. A
 * child exits as soon as its parent goes away, whatever killed the parent.
 */

/** REPORT_MS: how often a child reports without being asked. */
export const REPORT_MS = 1000;

/** Sample: one child's state at one moment. */
export interface Sample {
  /** `process.memoryUsage()`, in bytes; the proxy's are taken right after a full GC. */
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Client connections open now (the proxy: inbound; the backend: from the proxy). */
  open: number;
  /** Requests received so far. */
  served: number;
  /** errorLog messages so far, counted by kind (digits folded to N). */
  logs: Record<string, number>;
}

/** ToParent: a child's message. */
export type ToParent = { type: 'ready'; port: number } | { type: 'sample'; sample: Sample };

/** ToChild: the parent's request for a Sample now. */
export interface ToChild {
  type: 'sample';
}

/**
 * reportTo starts reporting: `ready` with `port`, then `measure()` every
 * REPORT_MS and on request. It is the only thing a child does over IPC.
 */
export function reportTo(port: number, measure: () => Sample): void {
  const send = (message: ToParent) => process.send?.(message);
  send({ type: 'ready', port });
  setInterval(() => send({ type: 'sample', sample: measure() }), REPORT_MS).unref();
  process.on('message', (message: ToChild) => {
    if (message.type === 'sample') send({ type: 'sample', sample: measure() });
  });
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C reaches the whole process group: the parent stops its children itself.
  process.on('SIGINT', () => undefined);
}

/**
 * LogCounter counts errorLog messages by kind: the message with every run
 * of digits folded to `N`, so ports and sizes do not split a kind.
 */
export class LogCounter {
  readonly #counts = new Map<string, number>();

  /** add counts one message. */
  add(message: string): void {
    const kind = message.replace(/\d+/g, 'N');
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
  }

  /** counts returns the counts so far as a plain object. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }
}
