import { HTTPParser } from 'http-parser-js';
import type { BenchMessage, ParserContender } from './message.js';
import { parseFailure, toPairs } from './message.js';

/** The `onHeadersComplete` argument of http-parser-js in its default (0.12) calling mode. */
interface HeaderInfo {
  versionMajor: number;
  versionMinor: number;
  headers: string[];
  method: number;
  url: string;
  statusCode: number;
  statusMessage: string;
  upgrade: boolean;
  shouldKeepAlive: boolean;
}

/**
 * httpParserJs drives http-parser-js's `HTTPParser` the way it replaces
 * Node's binding. Its body pieces are views (`Buffer#slice`) of the input.
 * Reading `HTTPParser.kOnExecute` would switch the library, process-wide, to
 * spread arguments, so this file never reads it.
 */
export const httpParserJs: ParserContender = {
  name: 'http-parser-js',
  prepare(kind, chunks) {
    const parser = new HTTPParser(kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE);
    let messages: BenchMessage[] = [];
    let current: BenchMessage | null = null;

    parser[HTTPParser.kOnHeaders] = (trailers: string[]) => {
      current!.trailers = toPairs(trailers);
    };
    parser[HTTPParser.kOnHeadersComplete] = ((info: HeaderInfo) => {
      const isRequest = kind === 'request';
      current = {
        method: isRequest ? (HTTPParser.methods[info.method] ?? null) : null,
        url: isRequest ? info.url : null,
        status: isRequest ? null : info.statusCode,
        statusText: isRequest ? null : info.statusMessage,
        versionMajor: info.versionMajor,
        versionMinor: info.versionMinor,
        headers: toPairs(info.headers),
        body: [],
        trailers: [],
        upgrade: info.upgrade,
        shouldKeepAlive: info.shouldKeepAlive,
      };
      return 0;
    }) as (typeof parser)[typeof HTTPParser.kOnHeadersComplete];
    parser[HTTPParser.kOnBody] = (chunk: Buffer, offset: number, length: number) => {
      current!.body.push(chunk.subarray(offset, offset + length));
    };
    parser[HTTPParser.kOnMessageComplete] = () => {
      messages.push(current!);
      current = null;
    };

    return () => {
      messages = [];
      for (const chunk of chunks) {
        const consumed = parser.execute(chunk);
        if (consumed !== chunk.length) throw parseFailure('http-parser-js', consumed, chunk.length);
      }
      return messages;
    };
  },
};
