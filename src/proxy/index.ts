export { type Handler, type HandlerFunc, type ResponseWriter, TrailerPrefix } from './handler.js';
export { newProxyRequest, ProxyRequest, type ProxyRequestOptions } from './proxy-request.js';
export {
  type BufferPool,
  ErrAbortHandler,
  newSingleHostReverseProxy,
  type ProxyHook,
  ReverseProxy,
  type ReverseProxyOptions,
} from './reverse-proxy.js';
export type { RoundTripOptions, RoundTripper } from './round-tripper.js';
export { createServer, Server, type ServerOptions } from './server.js';
export { Transport, type TransportOptions } from './transport.js';
