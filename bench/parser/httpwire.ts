import { Parser, parseMessages } from '../../dist/parser/index.js';
import type { BenchMessage, ParserContender } from './message.js';

/**
 * httpwireParser is one reused `Parser` building a message per
 * `onHeadersComplete`/`onBody`/`onTrailers`/`onMessageComplete`. Headers
 * already arrive as pairs; body pieces are views of the input.
 */
export const httpwireParser: ParserContender = {
  name: 'httpwire Parser',
  prepare(kind, chunks) {
    let messages: BenchMessage[] = [];
    let current: BenchMessage | null = null;
    const parser = new Parser(kind, {
      onHeadersComplete(head) {
        current = {
          method: head.method,
          url: head.url,
          status: head.status,
          statusText: head.statusText,
          versionMajor: head.versionMajor,
          versionMinor: head.versionMinor,
          headers: head.headers,
          body: [],
          trailers: [],
          upgrade: head.upgrade,
          shouldKeepAlive: head.shouldKeepAlive,
        };
      },
      onBody(chunk) {
        current!.body.push(chunk);
      },
      onTrailers(trailers) {
        current!.trailers = trailers;
      },
      onMessageComplete() {
        messages.push(current!);
        current = null;
      },
    });

    return () => {
      messages = [];
      for (const chunk of chunks) {
        const consumed = parser.execute(chunk);
        if (consumed !== chunk.length) {
          throw new Error(`httpwire: consumed ${consumed} of ${chunk.length} bytes`);
        }
      }
      return messages;
    };
  },
};

/**
 * httpwireParseMessages calls `parseMessages()` per iteration: a new parser
 * each time, `finish()` at the end, and each body joined into one Uint8Array.
 */
export const httpwireParseMessages: ParserContender = {
  name: 'httpwire parseMessages()',
  prepare(kind, chunks) {
    return () => {
      const result = parseMessages(kind, chunks);
      if (result.error !== null) throw result.error;
      return result.messages;
    };
  },
};
