/**
 * httpwire — a low-level HTTP/1.1 connection toolkit for Node.js.
 */
export {
  ErrBodyDiscarded,
  ErrClosed,
  ErrHandled,
  ErrPersistEOF,
  ErrPipeline,
  ParseError,
  ProtocolError,
  UnavailableError,
} from './errors.js';
export * from './parser/index.js';
export * from './conn/index.js';
export { Body } from './message/body.js';
export type { BodyInit } from './message/body-source.js';
export { Header, type HeaderInit } from './message/header.js';
export { Request, type RequestInit } from './message/request.js';
export { Response, type ResponseInit } from './message/response.js';
export type { Detached } from './io/socket-reader.js';
export * from './server/index.js';
export * from './transport/index.js';
export * from './proxy/index.js';
export * from './upstream/index.js';
