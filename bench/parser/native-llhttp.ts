import type { BenchMessage, ParserContender } from './message.js';
import { parseFailure, toPairs } from './message.js';

/** The part of Node's internal `http_parser` binding that `node:http` drives. */
interface NativeParser {
  [callback: number]: unknown;
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(chunk: Buffer): number | Error;
}

interface NativeBinding {
  methods: string[];
  HTTPParser: {
    new (): NativeParser;
    REQUEST: number;
    RESPONSE: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
  };
}

// Node prints a deprecation warning for process.binding; `npm run bench` runs with --no-deprecation.
const binding = (process as unknown as { binding(name: string): NativeBinding }).binding(
  'http_parser',
);
const { HTTPParser, methods } = binding;

/** node:http's default `maxHeaderSize`. */
const MAX_HEADER_SIZE = 16 * 1024;

/**
 * nativeLlhttp drives Node's bundled llhttp from JS as `lib/_http_common.js`
 * does: header fields flushed early through `kOnHeaders` are gathered with the
 * URL and joined in `kOnHeadersComplete`; fields arriving after the body are
 * the trailers. The binding copies every body piece into a new Buffer.
 */
export const nativeLlhttp: ParserContender = {
  name: 'node llhttp (binding)',
  prepare(kind, chunks) {
    const parser = new HTTPParser();
    parser.initialize(
      kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE,
      {},
      MAX_HEADER_SIZE,
      0,
    );
    let messages: BenchMessage[] = [];
    let current: BenchMessage | null = null;
    let flushed: string[] = [];
    let flushedUrl = '';

    parser[HTTPParser.kOnHeaders] = (headers: string[], url: string) => {
      flushed.push(...headers);
      flushedUrl += url;
    };
    parser[HTTPParser.kOnHeadersComplete] = (
      versionMajor: number,
      versionMinor: number,
      headers: string[] | undefined,
      method: number | undefined,
      url: string | undefined,
      statusCode: number | undefined,
      statusMessage: string | undefined,
      upgrade: boolean,
      shouldKeepAlive: boolean,
    ) => {
      if (headers === undefined) {
        headers = flushed;
        flushed = [];
      }
      if (url === undefined) {
        url = flushedUrl;
        flushedUrl = '';
      }
      const isRequest = method !== undefined;
      current = {
        method: isRequest ? (methods[method] ?? null) : null,
        url: isRequest ? url : null,
        status: isRequest ? null : statusCode!,
        statusText: isRequest ? null : statusMessage!,
        versionMajor,
        versionMinor,
        headers: toPairs(headers),
        body: [],
        trailers: [],
        upgrade,
        shouldKeepAlive,
      };
      return 0;
    };
    parser[HTTPParser.kOnBody] = (chunk: Buffer) => {
      current!.body.push(chunk);
    };
    parser[HTTPParser.kOnMessageComplete] = () => {
      if (flushed.length > 0) {
        current!.trailers = toPairs(flushed);
        flushed = [];
        flushedUrl = '';
      }
      messages.push(current!);
      current = null;
    };

    return () => {
      messages = [];
      for (const chunk of chunks) {
        const consumed = parser.execute(chunk);
        if (consumed !== chunk.length) throw parseFailure('node llhttp', consumed, chunk.length);
      }
      return messages;
    };
  },
};
