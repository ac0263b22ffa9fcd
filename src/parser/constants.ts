/**
 * llhttp's numeric constants, kept with llhttp's names and numbers so that
 * codes can be compared with the C parser's one for one. Numbers never change.
 */

/** ERROR: llhttp's error numbers by name (`llhttp_errno_t`). */
export const ERROR = {
  OK: 0,
  INTERNAL: 1,
  STRICT: 2,
  CR_EXPECTED: 25,
  LF_EXPECTED: 3,
  UNEXPECTED_CONTENT_LENGTH: 4,
  UNEXPECTED_SPACE: 30,
  CLOSED_CONNECTION: 5,
  INVALID_METHOD: 6,
  INVALID_URL: 7,
  INVALID_CONSTANT: 8,
  INVALID_VERSION: 9,
  INVALID_HEADER_TOKEN: 10,
  INVALID_CONTENT_LENGTH: 11,
  INVALID_CHUNK_SIZE: 12,
  INVALID_STATUS: 13,
  INVALID_EOF_STATE: 14,
  INVALID_TRANSFER_ENCODING: 15,
  CB_MESSAGE_BEGIN: 16,
  CB_HEADERS_COMPLETE: 17,
  CB_MESSAGE_COMPLETE: 18,
  CB_CHUNK_HEADER: 19,
  CB_CHUNK_COMPLETE: 20,
  PAUSED: 21,
  PAUSED_UPGRADE: 22,
  PAUSED_H2_UPGRADE: 23,
  USER: 24,
  /** Not llhttp's: Node's code for a head larger than `maxHeaderBytes` (or with more than `maxHeaderCount` fields). */
  HEADER_OVERFLOW: 100,
  /** Not llhttp's: Node's code (CVE-2024-22019) for more chunk extension bytes than `maxChunkExtensionBytes`. */
  CHUNK_EXTENSIONS_OVERFLOW: 101,
  /** Not llhttp's: a request line longer than `maxRequestLineBytes`. */
  REQUEST_LINE_OVERFLOW: 102,
} as const;

/** FLAGS: llhttp's per-message flag bits (`llhttp_flags_t`). */
export const FLAGS = {
  CONNECTION_KEEP_ALIVE: 0x1,
  CONNECTION_CLOSE: 0x2,
  CONNECTION_UPGRADE: 0x4,
  CHUNKED: 0x8,
  UPGRADE: 0x10,
  CONTENT_LENGTH: 0x20,
  SKIPBODY: 0x40,
  TRAILING: 0x80,
  TRANSFER_ENCODING: 0x200,
} as const;

/**
 * LENIENT_FLAGS: llhttp's opt-in leniencies (`llhttp_lenient_flags_t`). Each
 * one relaxes a framing rule and so opens a request-smuggling risk; see
 * docs/parser.md before enabling any of them on a connection you proxy.
 */
export const LENIENT_FLAGS = {
  HEADERS: 0x1,
  CHUNKED_LENGTH: 0x2,
  KEEP_ALIVE: 0x4,
  TRANSFER_ENCODING: 0x8,
  VERSION: 0x10,
  DATA_AFTER_CLOSE: 0x20,
  OPTIONAL_LF_AFTER_CR: 0x40,
  OPTIONAL_CRLF_AFTER_CHUNK: 0x80,
  OPTIONAL_CR_BEFORE_LF: 0x100,
  SPACES_AFTER_CHUNK_SIZE: 0x200,
} as const;
