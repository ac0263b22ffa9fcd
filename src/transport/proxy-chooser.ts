import type { Request } from '../message/request.js';
import { type ProxyEndpoint, proxyEndpointOf, type ProxyOption } from './proxy-route.js';

/** MAX_ENDPOINTS bounds the parsed proxy URLs kept; the cache starts again when full. */
const MAX_ENDPOINTS = 64;

/**
 * ProxyChooser applies a Transport's `proxy` option to each request: the
 * proxy it names, parsed once per distinct URL, or null to go direct.
 */
export class ProxyChooser {
  readonly #choose: (req: Request) => URL | string | null;
  readonly #endpoints = new Map<string, ProxyEndpoint>();

  /** A fixed proxy is parsed at once: a bad URL throws from the Transport's constructor. */
  constructor(option: ProxyOption) {
    if (typeof option === 'function') {
      this.#choose = option;
    } else {
      this.#endpoint(option);
      this.#choose = () => option;
    }
  }

  /** choose returns the proxy for `req`, or null. A bad URL from the function throws (`ERR_INVALID_URL`, ...). */
  choose(req: Request): ProxyEndpoint | null {
    const proxy = this.#choose(req);
    return proxy === null ? null : this.#endpoint(proxy);
  }

  #endpoint(proxy: string | URL): ProxyEndpoint {
    const text = typeof proxy === 'string' ? proxy : proxy.href;
    let endpoint = this.#endpoints.get(text);
    if (endpoint === undefined) {
      endpoint = proxyEndpointOf(text);
      if (this.#endpoints.size >= MAX_ENDPOINTS) this.#endpoints.clear();
      this.#endpoints.set(text, endpoint);
    }
    return endpoint;
  }
}
