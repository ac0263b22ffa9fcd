import { channel } from 'node:diagnostics_channel';

/** UpstreamStateMessage: the payload published on `httpwire:upstream:state`. */
export interface UpstreamStateMessage {
  /** The target's URL as `status()` shows it. */
  url: string;
  /** Whether the target takes requests after this change. */
  healthy: boolean;
  /** Why, in a few words: `3 failed health checks: status 500`, `ejected for 30000 ms: 5 consecutive failures`, ... */
  reason: string;
}

/** UPSTREAM_STATE_CHANNEL: the name of the diagnostics channel of target state changes. */
export const UPSTREAM_STATE_CHANNEL = 'httpwire:upstream:state';

const stateChannel = channel(UPSTREAM_STATE_CHANNEL);

/** StateReporter: logs a target's state change and publishes it on `httpwire:upstream:state`. */
export type StateReporter = (url: string, healthy: boolean, reason: string) => void;

/** stateReporter returns the reporter writing to `log` (default: a line on stderr). */
export function stateReporter(log: ((message: string) => void) | null | undefined): StateReporter {
  return (url, healthy, reason) => {
    const line = `upstream ${url} is ${healthy ? 'healthy' : 'unhealthy'}: ${reason}`;
    if (log != null) log(line);
    else process.stderr.write(`${line}\n`);
    if (stateChannel.hasSubscribers) {
      stateChannel.publish({ url, healthy, reason } satisfies UpstreamStateMessage);
    }
  };
}
