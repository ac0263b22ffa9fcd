/** What every node:http-based contender proxy shares: the pool size, hop-by-hop removal, listening. */
import type net from 'node:net';

/** POOL_SIZE: backend connections each pool may keep; wrk's 50 connections fit. go-proxy/main.go keeps as many. */
export const POOL_SIZE = 128;

// RFC 9110 §7.6.1: connection-specific fields, not forwarded.
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/** withoutHopByHop copies a node:http header object without the hop-by-hop fields. */
export function withoutHopByHop<H extends Record<string, string | string[] | undefined>>(
  headers: H,
): H {
  const copy = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

/** listen starts `server` on an ephemeral port of 127.0.0.1 and resolves with the port. */
export async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}
