/**
 * The client side's `diagnostics_channel` channels, published by Transport
 * (docs/api/diagnostics.md). Publishers check `hasSubscribers` first, so an
 * unobserved round trip builds no payload.
 */
import { channel } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { Request } from '../message/request.js';
import type { Response } from '../message/response.js';

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

/** publishConnect publishes on connectChannel when it has subscribers. */
export function publishConnect(origin: string, socket: Socket): void {
  if (connectChannel.hasSubscribers) connectChannel.publish({ origin, socket });
}

/** publishRequest publishes on requestChannel when it has subscribers. */
export function publishRequest(
  request: Request,
  origin: string,
  socket: Socket,
  reused: boolean,
): void {
  if (requestChannel.hasSubscribers) requestChannel.publish({ request, origin, socket, reused });
}

/** publishResponse publishes on responseChannel when it has subscribers. */
export function publishResponse(request: Request, response: Response, socket: Socket): void {
  if (responseChannel.hasSubscribers) responseChannel.publish({ request, response, socket });
}

/** observed reports whether anyone subscribes to a client channel (a raw exchange publishes nothing). */
export function observed(): boolean {
  return (
    connectChannel.hasSubscribers ||
    requestChannel.hasSubscribers ||
    responseChannel.hasSubscribers ||
    errorChannel.hasSubscribers
  );
}
