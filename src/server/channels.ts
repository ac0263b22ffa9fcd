/**
 * The server's `diagnostics_channel` channels (docs/api/diagnostics.md).
 * Publishers check `hasSubscribers` first, so an unobserved server builds
 * no payload.
 */
import { channel } from 'node:diagnostics_channel';

/** connectionChannel: `httpwire:server:connection`, `{ socket }` for each accepted connection a Server serves. */
export const connectionChannel = channel('httpwire:server:connection');
/** requestChannel: `httpwire:server:request`, `{ request, response, socket }` before the handler runs. */
export const requestChannel = channel('httpwire:server:request');
/**
 * responseChannel: `httpwire:server:response`, `{ request, response,
 * socket, error }` once the handler settled and the response was written
 * (or failed); `error` is what the handler threw, else null.
 */
export const responseChannel = channel('httpwire:server:response');
