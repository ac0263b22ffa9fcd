import type { MessageURL } from '../message/url.js';
import { type Origin, originOf } from './dial.js';

/** MAX_ORIGINS bounds each cache; it starts again when full. */
const MAX_ORIGINS = 1024;

/** OriginCache: the origins of URL hosts, parsed once per scheme and host (a proxy sends every request to the same few). */
export class OriginCache {
  readonly #known = { http: new Map<string, Origin>(), https: new Map<string, Origin>() };

  /** of returns the origin of `url`; a bad scheme or host throws, and is not kept. */
  of(url: MessageURL): Origin {
    const { scheme, host } = url;
    const known = scheme === 'http' || scheme === 'https' ? this.#known[scheme] : null;
    let origin = known?.get(host);
    if (origin === undefined) {
      origin = originOf(url);
      if (known !== null) {
        if (known.size >= MAX_ORIGINS) known.clear();
        known.set(host, origin);
      }
    }
    return origin;
  }
}
