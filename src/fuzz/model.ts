import type { HeaderPair, ParserKind } from '../parser/types.js';
import type { ComparableMessage, ComparableResult } from './compare.js';
import { latin1Bytes } from './latin1.js';

/** Field: one header or trailer line; `value` has no leading or trailing SP/HTAB of its own. */
export interface Field {
  name: string;
  value: string;
  /** Optional whitespace written before and after the value; the parser drops it. */
  before: string;
  after: string;
}

/** Chunk: one data chunk of a chunked body. */
export interface Chunk {
  data: string;
  /** Leading zeros written before the hex size (valid: chunk-size is 1*HEXDIG). */
  zeros: number;
  upperHex: boolean;
  /** The extensions as written after the size, e.g. `;a=b;c="d"`, or ''. */
  extensions: string;
}

/**
 * Body: how the message carries its body. The framing headers themselves
 * (Content-Length, Transfer-Encoding) are ordinary entries of `headers`, so a
 * generator decides their position and spelling.
 */
export type Body =
  | { framing: 'none' }
  | { framing: 'length'; data: string }
  | { framing: 'chunked'; chunks: Chunk[]; lastExtensions: string; trailers: Field[] }
  | { framing: 'close'; data: string };

/** StartLine: a request line or a status line. */
export type StartLine =
  | { kind: 'request'; method: string; target: string }
  | { kind: 'response'; status: number; reason: string };

/**
 * MessageModel: one message as a generator builds it, with the fields a
 * parser must report for it. All strings are latin1 (one char per byte).
 */
export interface MessageModel {
  start: StartLine;
  versionMinor: 0 | 1;
  headers: Field[];
  body: Body;
  /** Bytes of another protocol after an upgrading message, or ''. */
  tunnel: string;
  /** What llhttp reports as `upgrade` and `shouldKeepAlive` for this message. */
  upgrade: boolean;
  shouldKeepAlive: boolean;
}

/**
 * Sample: a stream of messages of one kind. For responses, `requestMethod`
 * lists the method of the request each final response answers, as
 * `ParserOptions.requestMethod` takes it; absent means plain GETs.
 */
export interface Sample {
  kind: ParserKind;
  messages: MessageModel[];
  requestMethod?: string[];
}

function fieldLine(field: Field): string {
  return `${field.name}:${field.before}${field.value}${field.after}\r\n`;
}

function chunkSize(chunk: Chunk): string {
  const hex = chunk.data.length.toString(16);
  return '0'.repeat(chunk.zeros) + (chunk.upperHex ? hex.toUpperCase() : hex);
}

function serializeBody(body: Body): string {
  switch (body.framing) {
    case 'none':
      return '';
    case 'length':
    case 'close':
      return body.data;
    case 'chunked': {
      const chunks = body.chunks.map((c) => `${chunkSize(c)}${c.extensions}\r\n${c.data}\r\n`);
      const trailers = body.trailers.map(fieldLine).join('');
      return `${chunks.join('')}0${body.lastExtensions}\r\n${trailers}\r\n`;
    }
  }
}

/** serializeMessage writes one message, tunnel bytes included, as a latin1 string. */
function serializeMessage(message: MessageModel): string {
  const version = `HTTP/1.${message.versionMinor}`;
  const { start } = message;
  const startLine =
    start.kind === 'request'
      ? `${start.method} ${start.target} ${version}`
      : `${version} ${start.status}${start.reason === '' ? '' : ` ${start.reason}`}`;
  const head = `${startLine}\r\n${message.headers.map(fieldLine).join('')}\r\n`;
  return head + serializeBody(message.body) + message.tunnel;
}

/** messageText writes a message or the whole stream of a sample as a latin1 string (one char per byte). */
export function messageText(model: MessageModel | Sample): string {
  if ('start' in model) return serializeMessage(model);
  return model.messages.map(serializeMessage).join('');
}

/**
 * messageBytes serializes a message model, or every message of a sample in
 * order, exactly as the model says: start line, header lines with their
 * whitespace, the body in its framing (chunk sizes with leading zeros and
 * extensions, trailers) and any tunnel bytes after an upgrading message.
 */
export function messageBytes(model: MessageModel | Sample): Uint8Array {
  return latin1Bytes(messageText(model));
}

function pairs(fields: readonly Field[]): HeaderPair[] {
  return fields.map((f) => [f.name, f.value]);
}

function bodyText(body: Body): string {
  switch (body.framing) {
    case 'none':
      return '';
    case 'length':
    case 'close':
      return body.data;
    case 'chunked':
      return body.chunks.map((c) => c.data).join('');
  }
}

/** expectedMessage is what a parser must report for a message, in comparable form. */
export function expectedMessage(message: MessageModel): ComparableMessage {
  const { start } = message;
  const request = start.kind === 'request';
  return {
    method: request ? start.method : null,
    url: request ? start.target : null,
    status: request ? null : start.status,
    statusText: request ? null : start.reason,
    versionMajor: 1,
    versionMinor: message.versionMinor,
    headers: pairs(message.headers),
    body: bodyText(message.body),
    trailers: message.body.framing === 'chunked' ? pairs(message.body.trailers) : [],
    upgrade: message.upgrade,
    shouldKeepAlive: message.shouldKeepAlive,
  };
}

/**
 * expectedResult is what `parseMessages()` must return for a serialized
 * sample: every message, no error, and everything up to the tunnel consumed.
 */
export function expectedResult(sample: Sample): ComparableResult {
  const tunnel = sample.messages.at(-1)?.tunnel.length ?? 0;
  return {
    messages: sample.messages.map(expectedMessage),
    error: null,
    consumed: messageText(sample).length - tunnel,
  };
}
