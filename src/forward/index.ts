export { type ClientHello, parseClientHello } from './client-hello.js';
export type { TunnelEnd } from './connect-tunnel.js';
export { type Dialer, dialTCP } from './dial-target.js';
export {
  DEFAULT_DIAL_TIMEOUT,
  DEFAULT_TUNNEL_IDLE_TIMEOUT,
  ForwardProxy,
  type ForwardProxyOptions,
} from './forward-proxy.js';
export type { ForwardTarget } from './forward-target.js';
export type { Credentials } from './proxy-auth.js';
export type { TunnelKind } from './sniff.js';
export { Tunnel, type TunnelClient } from './tunnel.js';
export { type CertificateIssuer, Interception, type MitmOptions } from './interception.js';
