import type { ERROR } from './parser/constants.js';

/**
 * PROTOCOL_ERROR_CODES: the `code` of every ProtocolError httpwire throws
 * that is not a parser error, each with a section in docs/errors.md.
 */
export const PROTOCOL_ERROR_CODES = [
  'ERR_ABORTED',
  'ERR_ABORT_HANDLER',
  'ERR_BODY_CONSUMED',
  'ERR_BODY_DISCARDED',
  'ERR_BODY_ENDED',
  'ERR_BODY_NOT_ALLOWED',
  'ERR_BODY_TIMEOUT',
  'ERR_BODY_TOO_LARGE',
  'ERR_CA_CERT',
  'ERR_CA_KEY',
  'ERR_CA_KEY_MISMATCH',
  'ERR_CLIENT_GONE',
  'ERR_CLOSED',
  'ERR_CONTENT_LENGTH_MISMATCH',
  'ERR_DIAL',
  'ERR_DIAL_TIMEOUT',
  'ERR_DUPLICATE_HOST',
  'ERR_HANDLED',
  'ERR_HIJACKED',
  'ERR_INVALID_CONTENT_LENGTH',
  'ERR_INVALID_HEADER',
  'ERR_INVALID_HOST',
  'ERR_INVALID_METHOD',
  'ERR_INVALID_STATUS',
  'ERR_INVALID_TRAILER',
  'ERR_INVALID_UPGRADE',
  'ERR_INVALID_URL',
  'ERR_INVALID_VERSION',
  'ERR_MISSING_HOST',
  'ERR_NOT_UPGRADED',
  'ERR_NO_RESPONSE',
  'ERR_NO_UPSTREAM',
  'ERR_PERSIST_EOF',
  'ERR_PIPELINE',
  'ERR_PROXY_AUTH_REQUIRED',
  'ERR_PROXY_CONNECT',
  'ERR_READ_TIMEOUT',
  'ERR_RESPONSE_DONE',
  'ERR_RESPONSE_HEADER_TIMEOUT',
  'ERR_SERVER_CLOSED_IDLE',
  'ERR_SOCKET_CLOSED',
  'ERR_SOCKET_DESTROYED',
  'ERR_TOO_MANY_1XX',
  'ERR_TRANSPORT_CLOSED',
  'ERR_TUNNEL_IDLE',
  'ERR_UNEXPECTED_SWITCH',
  'ERR_UNKNOWN_LENGTH',
  'ERR_UNSUPPORTED_SCHEME',
  'ERR_UNSUPPORTED_TRANSFER_ENCODING',
  'ERR_UPSTREAM_503',
] as const;

/** ParseErrorCode: llhttp's error names, the `code` of a ParseError (`HPE_INVALID_METHOD`, ...). */
export type ParseErrorCode = `HPE_${keyof typeof ERROR}`;

/**
 * ErrorCode: every `code` httpwire's own errors carry. System errors passed
 * through (ECONNRESET, EPIPE, ...) keep Node's codes and are not listed.
 */
export type ErrorCode = ParseErrorCode | (typeof PROTOCOL_ERROR_CODES)[number];
