/**
 * The client side's `diagnostics_channel` channels, published by Transport
 * (docs/api/diagnostics.md). Publishers check `hasSubscribers` first, so an
 * unobserved round trip builds no payload.
 */
import { channel } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { Request } from '../message/request.js';

/** connectChannel: `httpwire:client:connect`, `{ origin, socket }` once a new connection is dialed (TLS handshake done). */
export const connectChannel = channel('httpwire:client:connect');
/**
 * requestChannel: `httpwire:client:request`, `{ request, origin, socket,
 * reused }` as each attempt starts writing (a retried request publishes
 * again, on its new connection).
 */
export const requestChannel = channel('httpwire:client:request');
/** responseChannel: `httpwire:client:response`, `{ request, response, socket }` once the response head was read. */
export const responseChannel = channel('httpwire:client:response');
/** errorChannel: `httpwire:client:error`, `{ request, error }` when a round trip rejects (after any retry). */
export const errorChannel = channel('httpwire:client:error');

/** publishRequest publishes on requestChannel (callers check `hasSubscribers` first). */
export function publishRequest(
  request: Request,
  origin: string,
  socket: Socket,
  reused: boolean,
): void {
  requestChannel.publish({ request, origin, socket, reused });
}
