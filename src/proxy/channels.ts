/**
 * The ReverseProxy's `diagnostics_channel` channel (docs/api/diagnostics.md),
 * published only when it has subscribers.
 */
import { channel } from 'node:diagnostics_channel';

/**
 * errorChannel: `httpwire:proxy:error`, `{ request, error }` for each
 * failure the proxy hands to its error handler (the outgoing request once
 * it was built), and for a backend body that failed mid-copy.
 */
export const errorChannel = channel('httpwire:proxy:error');
