/**
 * httpwire/parser — an HTTP/1.1 parser in TypeScript with llhttp's semantics:
 * strict by default, llhttp's error codes, opt-in lenient flags.
 */
export { ParseError, ProtocolError } from '../errors.js';
export { ERROR, FLAGS, LENIENT_FLAGS } from './constants.js';
export { METHODS, type MethodName } from './methods.js';
export { parseMessages } from './parse-messages.js';
export { Parser } from './parser.js';
export type {
  HeaderPair,
  MessageHead,
  ParsedMessage,
  ParseResult,
  ParserCallbacks,
  ParserKind,
  ParserOptions,
} from './types.js';
