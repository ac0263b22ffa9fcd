import { ParseError } from '../errors.js';
import { Parser } from './parser.js';
import type { HeaderPair, ParsedMessage, ParseResult, ParserKind, ParserOptions } from './types.js';

const NO_PAIRS: HeaderPair[] = [];

/**
 * parseMessages feeds `chunks` in order to a new parser, then ends the input,
 * and returns every complete message, the error that stopped parsing (or
 * null) and the bytes consumed. Parsing stops after a message that switches
 * protocols; `consumed` then marks where the tunnel bytes begin. The result
 * does not depend on how the input is split. Bodies may share memory with
 * the input.
 */
export function parseMessages(
  kind: ParserKind,
  chunks: Uint8Array | readonly Uint8Array[],
  options?: ParserOptions,
): ParseResult {
  const messages: ParsedMessage[] = [];
  let current: ParsedMessage | null = null;
  let body: Uint8Array[] = [];
  const parser = new Parser(
    kind,
    {
      onHeadersComplete(head) {
        current = {
          method: head.method,
          url: head.url,
          status: head.status,
          statusText: head.statusText,
          versionMajor: head.versionMajor,
          versionMinor: head.versionMinor,
          headers: head.headers,
          body: EMPTY_BODY,
          trailers: NO_PAIRS,
          upgrade: head.upgrade,
          shouldKeepAlive: head.shouldKeepAlive,
        };
      },
      onBody(chunk) {
        body.push(chunk);
      },
      onTrailers(trailers) {
        if (current !== null) current.trailers = trailers;
      },
      onMessageComplete() {
        const message = current!;
        message.body = joinBody(body);
        body = [];
        messages.push(message);
        current = null;
      },
    },
    options,
  );
  const list = chunks instanceof Uint8Array ? [chunks] : chunks;
  let consumed = 0;
  let error: ParseError | null = null;
  try {
    for (const chunk of list) {
      consumed += parser.execute(chunk);
      if (parser.upgraded) break;
    }
    if (!parser.upgraded) parser.finish();
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    error = err;
    consumed = err.offset;
  }
  return { messages, error, consumed };
}

const EMPTY_BODY = new Uint8Array(0);

function joinBody(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 0) return EMPTY_BODY;
  if (parts.length === 1) return parts[0]!;
  return Buffer.concat(parts);
}
