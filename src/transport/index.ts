export type { RoundTripOptions, RoundTripper } from './round-tripper.js';
export { Transport, type TransportOptions } from './transport.js';
export { type WireFacts, wireFacts } from './wire-facts.js';
export { proxyFromEnvironment, type ProxyEnvironment } from './environment-proxy.js';
export type { ProxyOption } from './proxy-route.js';
export { ProxyConnectError } from './proxy-tunnel.js';
