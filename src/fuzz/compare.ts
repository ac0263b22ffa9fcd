import { isDeepStrictEqual } from 'node:util';
import type { ParsedMessage, ParseResult } from '../parser/types.js';
import { latin1Text } from './latin1.js';

/** ComparableMessage: a parsed message with its body as a latin1 string. */
export type ComparableMessage = Omit<ParsedMessage, 'body'> & { body: string };

/**
 * ComparableResult: a `ParseResult` reduced to plain data that `toEqual`
 * compares and prints well: bodies as latin1 strings, the error as its code
 * and offset (llhttp's reason strings are not part of the contract).
 */
export interface ComparableResult {
  messages: ComparableMessage[];
  error: { code: string; offset: number } | null;
  consumed: number;
}

function comparableMessage(message: ParsedMessage): ComparableMessage {
  return {
    method: message.method,
    url: message.url,
    status: message.status,
    statusText: message.statusText,
    versionMajor: message.versionMajor,
    versionMinor: message.versionMinor,
    headers: message.headers.map(([name, value]) => [name, value]),
    body: latin1Text(message.body),
    trailers: message.trailers.map(([name, value]) => [name, value]),
    upgrade: message.upgrade,
    shouldKeepAlive: message.shouldKeepAlive,
  };
}

/** comparableResult is the one normalisation every fuzz property compares through. */
export function comparableResult(result: ParseResult): ComparableResult {
  return {
    messages: result.messages.map(comparableMessage),
    error: result.error && { code: result.error.code, offset: result.error.offset },
    consumed: result.consumed,
  };
}

/**
 * differenceKind names how two results differ, coarsely enough that an
 * input can be shrunk while keeping the same kind of difference: the two
 * error codes, the two message counts, the first differing message field,
 * the error offset or `consumed`. It returns null when they are equal.
 */
export function differenceKind(a: ComparableResult, b: ComparableResult): string | null {
  if (a.error?.code !== b.error?.code) return `error ${a.error?.code} / ${b.error?.code}`;
  if (a.messages.length !== b.messages.length) {
    return `messages ${a.messages.length} / ${b.messages.length}`;
  }
  for (const [i, message] of a.messages.entries()) {
    const other = b.messages[i]!;
    for (const key of Object.keys(message) as (keyof ComparableMessage)[]) {
      if (!isDeepStrictEqual(message[key], other[key])) return `message field ${key}`;
    }
  }
  if (a.error?.offset !== b.error?.offset) return 'error offset';
  return a.consumed === b.consumed ? null : 'consumed';
}

/**
 * withKnownErrorCode returns `oracle` with a hidden error code (see
 * `HIDDEN_ERROR_CODE`) replaced by the code `ours` gives, so that only the
 * offset and the messages are compared in that case.
 */
export function withKnownErrorCode(
  oracle: ComparableResult,
  ours: ComparableResult,
  hiddenCode: string,
): ComparableResult {
  if (oracle.error?.code !== hiddenCode || ours.error === null) return oracle;
  return { ...oracle, error: { ...oracle.error, code: ours.error.code } };
}
