import type { AddressInfo } from 'node:net';
import type { ProxyArgs } from './proxy-args.js';

/** banner: the 'listening on' line, what to try, and the admin pages. */
export function banner(
  args: ProxyArgs,
  targets: ProxyArgs['targets'],
  address: AddressInfo,
  admin: AddressInfo | null,
): string {
  const url = `http://${hostPort(address)}/`;
  const demo = args.targets.length === 0;
  const to = targets.map((t) => t.url).join(', ');
  return (
    `httpwire proxy listening on ${url} -> ${to}${demo ? ' (built-in demo origin)' : ''}\n` +
    `try:  curl -i ${url}${demo ? `\n      curl -N ${url}sse` : ''}\n` +
    (admin === null
      ? ''
      : `admin: http://${hostPort(admin)}/status and http://${hostPort(admin)}/metrics\n`)
  );
}

function hostPort(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${host}:${address.port}`;
}
