export { newProxyRequest, ProxyRequest, type ProxyRequestOptions } from './proxy-request.js';
export {
  type BufferPool,
  ErrAbortHandler,
  newSingleHostReverseProxy,
  type ProxyHook,
  ReverseProxy,
  type ReverseProxyOptions,
} from './reverse-proxy.js';
