export { newProxyRequest, ProxyRequest, type ProxyRequestOptions } from './proxy-request.js';
export {
  type BufferPool,
  newSingleHostReverseProxy,
  type ProxyHook,
  ReverseProxy,
  type ReverseProxyOptions,
} from './reverse-proxy.js';
