import { Buffer } from 'node:buffer';
import { ParseError } from '../../src/errors.js';
import type { HeaderPair, ParsedMessage, ParseResult, ParserKind } from '../../src/parser/types.js';

/** OracleOptions: the subset of `ParserOptions` the oracle understands, with the same meaning. */
export interface OracleOptions {
  /** A bit set of `LENIENT_FLAGS` (llhttp's numbers, passed through unchanged); default 0. */
  lenient?: number;
  /** Node's `maxHeaderSize` (Node counts start-line and header bytes without CRLFs); default 65536. */
  maxHeaderBytes?: number;
  /** As `ParserOptions.requestMethod`: `HEAD` skips the body, a 2xx to `CONNECT` upgrades. */
  requestMethod?: string | readonly string[];
}

/** The error object Node's binding returns from `execute()`/`finish()`. */
interface BindingError {
  code: string;
  reason: string;
  bytesParsed: number;
}

type OnHeadersComplete = (
  versionMajor: number,
  versionMinor: number,
  headers: string[] | undefined,
  method: number | undefined,
  url: string | undefined,
  statusCode: number | undefined,
  statusMessage: string | undefined,
  upgrade: boolean,
  shouldKeepAlive: boolean,
) => number;

interface BindingParser {
  [callback: number]: unknown;
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | BindingError;
  finish(): BindingError | undefined;
}

interface HttpParserBinding {
  /** Every method name llhttp knows, indexed by llhttp's method number. */
  allMethods: string[];
  HTTPParser: {
    new (): BindingParser;
    REQUEST: number;
    RESPONSE: number;
    kOnMessageBegin: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
    kOnExecute: number;
  };
}

let cached: HttpParserBinding | undefined;

/**
 * Node's bundled llhttp, loaded once. `process.binding` warns (DEP0111) on
 * first use; the warning is swallowed because the oracle uses it on purpose.
 */
function httpParserBinding(): HttpParserBinding {
  if (cached) return cached;
  const { emitWarning } = process;
  process.emitWarning = () => {};
  try {
    const withBinding = process as unknown as { binding(name: string): HttpParserBinding };
    cached = withBinding.binding('http_parser');
  } finally {
    process.emitWarning = emitWarning;
  }
  return cached;
}

function isBindingError(value: unknown): value is BindingError {
  return typeof value === 'object' && value !== null && 'code' in value;
}

function pairs(flat: readonly string[]): HeaderPair[] {
  const out: HeaderPair[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** A message between its head and its completion. */
interface Pending {
  message: ParsedMessage;
  body: Uint8Array[];
  trailers: string[];
}

/**
 * oracleParseMessages parses `input` in one piece with Node's llhttp and
 * answers in the shape of `parseMessages()`, so the two compare field by
 * field. Parsing stops after a message that upgrades the connection (its
 * `upgrade` is then true, including for a 101 or a 2xx to CONNECT, and
 * `consumed` is where the tunnel begins). An error from `finish()` is
 * reported at offset `input.length`. Strings are latin1, as the binding
 * decodes them; header values lose leading and trailing SP/HTAB.
 */
export function oracleParseMessages(
  kind: ParserKind,
  input: Uint8Array,
  options: OracleOptions = {},
): ParseResult {
  const { HTTPParser, allMethods } = httpParserBinding();
  const parser = new HTTPParser();
  const requestMethod = options.requestMethod;
  const messages: ParsedMessage[] = [];
  let headerFlushes: string[] = [];
  let urlFlushes = '';
  let pending: Pending | null = null;
  let finalResponses = 0;
  let upgraded = false;

  function methodForNextResponse(): string | undefined {
    return typeof requestMethod === 'string' ? requestMethod : requestMethod?.[finalResponses];
  }

  const onHeadersComplete: OnHeadersComplete = (
    versionMajor,
    versionMinor,
    headers,
    method,
    url,
    statusCode,
    statusMessage,
    upgrade,
    shouldKeepAlive,
  ) => {
    const flat = headerFlushes.concat(headers ?? []);
    const isRequest = kind === 'request';
    const status = isRequest ? null : (statusCode ?? 0);
    let skipBody = 0;
    if (status !== null) {
      const answered = methodForNextResponse();
      // 1xx interim responses other than 101 do not answer the request.
      if (status < 100 || status >= 200 || status === 101) finalResponses++;
      if (answered === 'CONNECT' && status >= 200 && status < 300) skipBody = 2;
      else if (answered === 'HEAD') skipBody = 1;
    }
    pending = {
      message: {
        method: isRequest ? (allMethods[method ?? -1] ?? null) : null,
        url: isRequest ? urlFlushes + (url ?? '') : null,
        status,
        statusText: isRequest ? null : (statusMessage ?? ''),
        versionMajor,
        versionMinor,
        headers: pairs(flat),
        body: new Uint8Array(0),
        trailers: [],
        // llhttp stops after a 101 whatever its headers say.
        upgrade: upgrade || skipBody === 2 || status === 101,
        shouldKeepAlive,
      },
      body: [],
      trailers: [],
    };
    headerFlushes = [];
    urlFlushes = '';
    return skipBody;
  };

  parser[HTTPParser.kOnMessageBegin] = () => {
    headerFlushes = [];
    urlFlushes = '';
  };
  // Node flushes headers early (every 32 fields); after the head they are trailers.
  parser[HTTPParser.kOnHeaders] = (headers: string[], url: string | undefined) => {
    if (pending) {
      pending.trailers.push(...headers);
    } else {
      headerFlushes.push(...headers);
      urlFlushes += url ?? '';
    }
  };
  parser[HTTPParser.kOnHeadersComplete] = onHeadersComplete;
  parser[HTTPParser.kOnBody] = (chunk: Uint8Array) => {
    pending?.body.push(Uint8Array.from(chunk));
  };
  parser[HTTPParser.kOnMessageComplete] = () => {
    if (!pending) return;
    const { message, body, trailers } = pending;
    message.body = concat(body);
    message.trailers = pairs(trailers);
    messages.push(message);
    upgraded = message.upgrade;
    pending = null;
  };
  parser[HTTPParser.kOnExecute] = () => {};
  parser.initialize(
    kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE,
    {},
    options.maxHeaderBytes ?? 65536,
    options.lenient ?? 0,
  );

  // Node's binding answers an empty buffer with undefined rather than 0.
  const executed =
    input.length === 0
      ? 0
      : parser.execute(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  if (isBindingError(executed)) {
    const error = new ParseError(executed.code, executed.reason, executed.bytesParsed);
    return { messages, error, consumed: executed.bytesParsed };
  }
  if (upgraded) return { messages, error: null, consumed: executed };
  if (executed !== input.length) {
    throw new Error(`llhttp stopped at ${executed} of ${input.length} bytes without an upgrade`);
  }
  const finished = parser.finish();
  if (isBindingError(finished)) {
    const error = new ParseError(finished.code, finished.reason, input.length);
    return { messages, error, consumed: input.length };
  }
  return { messages, error: null, consumed: input.length };
}
