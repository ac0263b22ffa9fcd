import { Buffer } from 'node:buffer';
import { ParseError } from '../errors.js';
import type { HeaderPair, ParsedMessage, ParseResult, ParserKind } from '../parser/types.js';

/** OracleOptions: the subset of `ParserOptions` the oracle understands, with the same meaning. */
export interface OracleOptions {
  /** A bit set of `LENIENT_FLAGS` (llhttp's numbers, passed through unchanged); default 0. */
  lenient?: number;
  /** Node's `maxHeaderSize` (Node counts start-line and header bytes without CRLFs); default 65536. */
  maxHeaderBytes?: number;
  /** As `ParserOptions.requestMethod`: `HEAD` skips the body, a 2xx to `CONNECT` upgrades. */
  requestMethod?: string | readonly string[];
}

/**
 * HIDDEN_ERROR_CODE stands for an error llhttp raised while Node's binding
 * would not say which: once a request announces an upgrade (`Upgrade` with
 * `Connection: upgrade`), Node drops llhttp's errors until the message ends
 * and only reports where parsing stopped. The offset is still llhttp's.
 */
export const HIDDEN_ERROR_CODE = 'HPE_HIDDEN_BY_NODE';

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

/**
 * bodySkipper answers, for each response head in order, what
 * `kOnHeadersComplete` returns: 1 to skip the body of a response to HEAD,
 * 2 to skip it and upgrade on a 2xx to CONNECT, else 0. Interim 1xx
 * responses other than 101 do not use up an entry of `requestMethod`.
 */
function bodySkipper(requestMethod: OracleOptions['requestMethod']): (status: number) => number {
  let finalResponses = 0;
  return (status) => {
    const answered =
      typeof requestMethod === 'string' ? requestMethod : requestMethod?.[finalResponses];
    if (status < 100 || status >= 200 || status === 101) finalResponses++;
    if (answered === 'CONNECT' && status >= 200 && status < 300) return 2;
    return answered === 'HEAD' ? 1 : 0;
  };
}

function newParser(kind: ParserKind, options: OracleOptions): BindingParser {
  const { HTTPParser } = httpParserBinding();
  const parser = new HTTPParser();
  const ignore = () => {};
  parser[HTTPParser.kOnMessageBegin] = ignore;
  parser[HTTPParser.kOnHeaders] = ignore;
  parser[HTTPParser.kOnBody] = ignore;
  parser[HTTPParser.kOnMessageComplete] = ignore;
  parser[HTTPParser.kOnExecute] = ignore;
  parser.initialize(
    kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE,
    {},
    options.maxHeaderBytes ?? 65536,
    options.lenient ?? 0,
  );
  return parser;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * keepsAliveAfterSkippedBody asks llhttp whether the connection stays open
 * after response number `target`, whose body the caller skipped. Node
 * computes `shouldKeepAlive` before `kOnHeadersComplete` returns, so for a
 * skipped body it still counts on reading until EOF; llhttp itself decides
 * with the body skipped. The probe replays the input up to that head byte by
 * byte (the body is skipped as for HEAD, even for a CONNECT tunnel), then
 * sends one more byte: `HPE_CLOSED_CONNECTION` means llhttp closed.
 */
function keepsAliveAfterSkippedBody(
  input: Uint8Array,
  options: OracleOptions,
  target: number,
): boolean {
  const { HTTPParser } = httpParserBinding();
  const parser = newParser('response', options);
  const skipBody = bodySkipper(options.requestMethod);
  let heads = 0;
  let reached = false;
  const onHeadersComplete: OnHeadersComplete = (_major, _minor, _h, _m, _u, statusCode) => {
    const skip = skipBody(statusCode ?? 0);
    if (heads++ !== target) return skip;
    reached = true;
    return 1;
  };
  parser[HTTPParser.kOnHeadersComplete] = onHeadersComplete;
  for (let i = 0; i < input.length && !reached; i++)
    parser.execute(toBuffer(input.subarray(i, i + 1)));
  const next = parser.execute(Buffer.from('H', 'latin1'));
  return !(isBindingError(next) && next.code === 'HPE_CLOSED_CONNECTION');
}

/** A message between its head and its completion. */
interface Pending {
  message: ParsedMessage;
  body: Uint8Array[];
  trailers: string[];
  /** True when the body was skipped while Node's `shouldKeepAlive` still assumed it ran to EOF. */
  probeKeepAlive: boolean;
}

/**
 * llhttpOracle parses `input` in one piece with the llhttp bundled in Node and
 * answers in the shape of `parseMessages()`, so the two compare field by
 * field. Parsing stops after a message that upgrades the connection (its
 * `upgrade` is then true, as for a 2xx to CONNECT) and after any 101, whose
 * `upgrade` is llhttp's: true only with `Upgrade` and `Connection: upgrade`;
 * `consumed` is where the tunnel begins. `shouldKeepAlive` is llhttp's
 * `llhttp_should_keep_alive()` once the message's framing is settled (so a
 * response to HEAD without Content-Length can keep the connection alive).
 * An error from `finish()` is reported at offset `input.length`. Strings are
 * latin1, as the binding decodes them; header values lose leading and
 * trailing SP/HTAB. It does not depend on fast-check.
 *
 * It rests on an internal binding, `process.binding('http_parser')` (its
 * deprecation warning DEP0111 is silenced), which Node may change or remove
 * in any release: checked with Node v20.20.2 (llhttp 9.3.1). Node hides some
 * llhttp errors after a request announcing an upgrade; those come back as
 * `HIDDEN_ERROR_CODE` at llhttp's offset.
 */
export function llhttpOracle(
  kind: ParserKind,
  input: Uint8Array,
  options: OracleOptions = {},
): ParseResult {
  const { HTTPParser, allMethods } = httpParserBinding();
  const parser = newParser(kind, options);
  const skipBody = bodySkipper(options.requestMethod);
  const messages: ParsedMessage[] = [];
  const probes: number[] = [];
  let headerFlushes: string[] = [];
  let urlFlushes = '';
  let pending: Pending | null = null;
  let heads = 0;
  let upgraded = false;
  let upgradeAnnounced = false;

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
    const skip = status === null ? 0 : skipBody(status);
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
        // A 101 without `Upgrade` and `Connection: upgrade` is no upgrade (llhttp stops after it anyway).
        upgrade: upgrade || skip === 2,
        shouldKeepAlive,
      },
      body: [],
      trailers: [],
      probeKeepAlive: skip !== 0 && !shouldKeepAlive,
    };
    heads++;
    upgradeAnnounced = upgrade;
    headerFlushes = [];
    urlFlushes = '';
    return skip;
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
    if (pending.probeKeepAlive) probes.push(messages.length, heads - 1);
    messages.push(message);
    upgraded = message.upgrade || message.status === 101; // llhttp stops after any 101
    upgradeAnnounced = false;
    pending = null;
  };

  const result = execute(
    parser,
    input,
    () => upgraded,
    () => upgradeAnnounced,
  );
  for (let i = 0; i < probes.length; i += 2) {
    messages[probes[i]!]!.shouldKeepAlive = keepsAliveAfterSkippedBody(
      input,
      options,
      probes[i + 1]!,
    );
  }
  return { messages, ...result };
}

/** execute feeds the whole input, then ends it unless the connection upgraded. */
function execute(
  parser: BindingParser,
  input: Uint8Array,
  upgraded: () => boolean,
  upgradeAnnounced: () => boolean,
): Omit<ParseResult, 'messages'> {
  // Node's binding answers an empty buffer with undefined rather than 0.
  const executed = input.length === 0 ? 0 : parser.execute(toBuffer(input));
  if (isBindingError(executed)) {
    const error = new ParseError(executed.code, executed.reason, executed.bytesParsed);
    return { error, consumed: executed.bytesParsed };
  }
  if (upgraded()) return { error: null, consumed: executed };
  if (upgradeAnnounced()) {
    // Node hid llhttp's error; stopping early means one, and so does ending inside the body.
    if (executed < input.length) {
      const error = new ParseError(HIDDEN_ERROR_CODE, 'hidden by Node', executed);
      return { error, consumed: executed };
    }
    const error = new ParseError('HPE_INVALID_EOF_STATE', 'Invalid EOF state', input.length);
    return { error, consumed: input.length };
  }
  if (executed !== input.length) {
    throw new Error(`llhttp stopped at ${executed} of ${input.length} bytes without an upgrade`);
  }
  const finished = parser.finish();
  if (isBindingError(finished)) {
    return {
      error: new ParseError(finished.code, finished.reason, input.length),
      consumed: input.length,
    };
  }
  return { error: null, consumed: input.length };
}
