import type { ParsedMessage, ParseResult } from '../../src/parser/types.js';
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
