/**
 * httpwire — a low-level HTTP/1.1 connection toolkit for Node.js.
 */
export {
  ErrClosed,
  ErrHandled,
  ErrPersistEOF,
  ErrPipeline,
  ParseError,
  ProtocolError,
} from './errors.js';
export * from './parser/index.js';
