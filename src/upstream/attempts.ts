/** The failover state of a request over an Upstreams' targets. */
import { ProtocolError } from '../errors.js';
import type { Request } from '../message/request.js';
import type { MessageURL } from '../message/url.js';
import type { Target } from './target.js';

/** Attempts: the failover state of one request over the targets. */
export interface Attempts {
  readonly req: Request;
  readonly base: MessageURL;
  readonly canReplay: boolean;
  readonly replay: (() => Request) | null;
  now: number;
  tried: Target[] | null; // targets of the attempts before the current one
  target: Target | null; // the current attempt's
  written: number; // attempts that reached the wire
  lastErr: unknown; // why the current target is left, once it is
}

/** countsAgainstTarget: a failure that is the target's, not the client's abort or our own close. */
export function countsAgainstTarget(err: unknown): boolean {
  if (!(err instanceof ProtocolError)) return true;
  return err.code !== 'ERR_ABORTED' && err.code !== 'ERR_TRANSPORT_CLOSED';
}
