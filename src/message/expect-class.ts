import { Request } from './request.js';
import { Response } from './response.js';

/**
 * Checks that a value handed to a connection or a transport is httpwire's
 * own message class. The fetch globals `Request` and `Response` share the
 * names, and an object from them (or from another library) would otherwise
 * fail deep inside the writer, or, worse, poison a connection.
 */

/** className returns the class name of an object `value`, or null for a primitive or a nameless class. */
function className(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : null;
}

/** mismatch builds the TypeError for a value that is not httpwire's `cls`. */
function mismatch(where: string, cls: string, value: unknown): TypeError {
  const name = className(value);
  let got: string;
  if (name === null) got = value === null ? 'null' : typeof value;
  else if (name === 'Object') got = 'a plain object';
  else got = `an instance of another ${name} class`;
  const hint = name === cls ? ` (the fetch global ${cls} is not httpwire's)` : '';
  return new TypeError(
    `${where}: expected httpwire's ${cls} (import { ${cls} } from 'httpwire'), got ${got}${hint}`,
  );
}

/** expectRequest throws a TypeError naming `where` unless `value` is httpwire's Request. */
export function expectRequest(value: unknown, where: string): asserts value is Request {
  if (!(value instanceof Request)) throw mismatch(where, 'Request', value);
}

/** expectResponse throws a TypeError naming `where` unless `value` is httpwire's Response. */
export function expectResponse(value: unknown, where: string): asserts value is Response {
  if (!(value instanceof Response)) throw mismatch(where, 'Response', value);
}
