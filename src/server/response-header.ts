import { FORBIDDEN_TRAILERS, isToken } from '../message/field-syntax.js';
import { Header } from '../message/header.js';
import { RESPONSE_EXCLUDE } from '../message/write-head.js';
import { forEachElement } from '../message/token-list.js';
import type { Request } from '../message/request.js';
import { statusText } from '../message/status-text.js';
import { TrailerPrefix } from './handler.js';
import { httpDate } from './http-date.js';

const PREFIX_LOWER = TrailerPrefix.toLowerCase();

/** trailerName returns the trailer name in `name` (`Trailer:X` → `X`, any case of the prefix), or null. */
function trailerName(name: string): string | null {
  const n = PREFIX_LOWER.length;
  if (name.length <= n) return null;
  for (let i = 0; i < n; i++) {
    // ASCII letters only change with 0x20; ':' must match exactly.
    if ((name.charCodeAt(i) | 0x20) !== (PREFIX_LOWER.charCodeAt(i) | 0x20)) return null;
  }
  return name.charCodeAt(n - 1) === 0x3a ? name.slice(n) : null;
}

/**
 * ResponseHeader is the Header a ResponseWriter hands out. Names prefixed
 * with `TrailerPrefix` (`Trailer:X-Checksum`) are kept apart, under the
 * name without the prefix, as trailers to send after the body (Go's
 * TrailerPrefix convention); `get`, `values`, `has`, `set`, `add` and
 * `delete` reach them with the prefixed name. Iteration, `names()` and
 * `clone()` cover the head fields only.
 */
export class ResponseHeader extends Header {
  /** Fields set with TrailerPrefix, by their trailer name. */
  readonly prefixed = new Header();

  override get(name: string): string | null {
    const trailer = trailerName(name);
    return trailer === null ? super.get(name) : this.prefixed.get(trailer);
  }

  override values(name: string): string[] {
    const trailer = trailerName(name);
    return trailer === null ? super.values(name) : this.prefixed.values(trailer);
  }

  override has(name: string): boolean {
    const trailer = trailerName(name);
    return trailer === null ? super.has(name) : this.prefixed.has(trailer);
  }

  override set(name: string, value: string | readonly string[] | null): this {
    const trailer = trailerName(name);
    if (trailer === null) super.set(name, value);
    else this.prefixed.set(trailer, value);
    return this;
  }

  override add(name: string, value: string): this {
    const trailer = trailerName(name);
    if (trailer === null) super.add(name, value);
    else this.prefixed.add(trailer, value);
    return this;
  }

  override delete(name: string): boolean {
    const trailer = trailerName(name);
    return trailer === null ? super.delete(name) : this.prefixed.delete(trailer);
  }
}

/** declaredTrailers returns the valid names listed in `Trailer` fields, with no values yet. */
export function declaredTrailers(header: Header): Header {
  const trailer = new Header();
  for (const value of header.values('Trailer')) {
    forEachElement(value, (from, to) => {
      const name = value.slice(from, to);
      if (isToken(name) && !FORBIDDEN_TRAILERS.has(name.toLowerCase())) trailer.set(name, null);
    });
  }
  return trailer;
}

/** parseLength parses a Content-Length value made of digits only, or returns -1. */
export function parseLength(value: string): number {
  if (value.length === 0 || value.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** fillTrailers sets the trailer values once the handler is done: declared names from `header`, prefixed names as set. */
export function fillTrailers(trailer: Header, header: ResponseHeader): void {
  for (const name of trailer.names()) {
    const values = header.values(name);
    if (values.length > 0) trailer.set(name, values);
  }
  for (const [name, value] of header.prefixed) {
    if (isToken(name) && !FORBIDDEN_TRAILERS.has(name.toLowerCase())) trailer.add(name, value);
  }
}

/** hijackHead is the head a hijacked response set with writeHeader goes out with (latin1): no framing, a Date added to `head` when missing. */
export function hijackHead(req: Request, status: number, head: Header): string {
  const minor = req.protoMinor === 0 ? 0 : 1;
  if (!head.has('Date')) head.set('Date', httpDate());
  return `HTTP/1.${minor} ${status} ${statusText(status)}\r\n${head.wireLines(RESPONSE_EXCLUDE)}\r\n`;
}
