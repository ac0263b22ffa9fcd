import type { Arbitrary } from 'fast-check';
import { fc } from './fast-check.js';
import { latin1Data, pathChars, quotedString, reasonPhrase, token } from './charsets.js';
import { fieldArbitrary, ows } from './fields.js';
import type { Body, Chunk, Field, MessageModel, Sample, StartLine } from './model.js';

/**
 * llhttp's HTTP methods other than CONNECT (which upgrades and is generated
 * on its own), kept here by hand so the generator does not trust the parser.
 */
// prettier-ignore
const METHODS = [
  'DELETE', 'GET', 'HEAD', 'POST', 'PUT', 'OPTIONS', 'TRACE', 'COPY', 'LOCK', 'MKCOL', 'MOVE',
  'PROPFIND', 'PROPPATCH', 'SEARCH', 'UNLOCK', 'BIND', 'REBIND', 'UNBIND', 'ACL', 'REPORT',
  'MKACTIVITY', 'CHECKOUT', 'MERGE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'PATCH',
  'PURGE', 'MKCALENDAR', 'LINK', 'UNLINK', 'SOURCE', 'QUERY',
] as const;

const host = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.constantFrom('localhost', '[::1]', '[2001:db8::7]'),
);
const port = fc.integer({ min: 1, max: 65535 });
const originForm = fc
  .tuple(fc.array(pathChars('', 8), { maxLength: 4 }), fc.option(pathChars('/?', 16)))
  .map(([segments, query]) => `/${segments.join('/')}${query === null ? '' : `?${query}`}`);
const absoluteForm = fc
  .tuple(fc.constantFrom('http', 'https'), host, fc.option(port), originForm)
  .map(([scheme, h, p, path]) => `${scheme}://${h}${p === null ? '' : `:${p}`}${path}`);
const authorityForm = fc.tuple(host, port).map(([h, p]) => `${h}:${p}`);

const requestLine: Arbitrary<StartLine> = fc
  .oneof(
    {
      weight: 6,
      arbitrary: fc.record({ method: fc.constantFrom(...METHODS), target: originForm }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ method: fc.constantFrom(...METHODS), target: absoluteForm }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ method: fc.constant('OPTIONS'), target: fc.constant('*') }),
    },
  )
  .map((line) => ({ kind: 'request' as const, ...line }));

const chunkExtension = fc
  .tuple(token(6), fc.option(fc.oneof(token(6), quotedString())))
  .map(([name, value]) => `;${name}${value === null ? '' : `=${value}`}`);
const chunkExtensions = fc.array(chunkExtension, { maxLength: 2 }).map((list) => list.join(''));
const chunk: Arbitrary<Chunk> = fc.record({
  data: latin1Data(24, 1),
  zeros: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 3 })),
  upperHex: fc.boolean(),
  extensions: chunkExtensions,
});

/** The framing of a message body, chosen before its headers are built. */
type Framing = 'none' | 'length' | 'chunked' | 'close';

function body(framing: Framing, field: Arbitrary<Field>): Arbitrary<Body> {
  switch (framing) {
    case 'none':
      return fc.constant({ framing });
    case 'length':
    case 'close':
      return latin1Data(64).map((data) => ({ framing, data }));
    case 'chunked':
      return fc.record({
        framing: fc.constant(framing),
        chunks: fc.array(chunk, { maxLength: 4 }),
        lastExtensions: chunkExtensions,
        trailers: fc.array(field, { maxLength: 3 }),
      });
  }
}

/** How a message leaves the connection: open, closed after it, or switched to a tunnel. */
type Persistence = 'keep-alive' | 'close' | 'upgrade';

/** Shape: every decision about one message that its control headers depend on. */
interface Shape {
  start: StartLine;
  versionMinor: 0 | 1;
  persistence: Persistence;
  framing: Framing;
  /** A response to HEAD: framing headers are sent, the body is not. */
  answersHead: boolean;
  /** `Upgrade: <protocol>` sent with `Connection: upgrade`. */
  upgradeHeader: boolean;
  /** True when llhttp must stop after this message. */
  upgrades: boolean;
}

function connectionValue(shape: Shape): Arbitrary<string | null> {
  if (shape.upgradeHeader) return fc.constantFrom('upgrade', 'Upgrade', 'keep-alive, Upgrade');
  if (shape.persistence === 'close') {
    return shape.versionMinor === 1
      ? fc.constantFrom('close', 'Close', 'CLOSE')
      : fc.constantFrom(null, 'close');
  }
  return shape.versionMinor === 1
    ? fc.constantFrom(null, 'keep-alive')
    : fc.constantFrom('keep-alive', 'Keep-Alive');
}

const transferEncoding = fc.constantFrom('chunked', 'Chunked', 'gzip, chunked', 'gzip,chunked');

/**
 * message builds a message of a given shape: its body, its control headers
 * (spelled and placed at random among ordinary ones) and what llhttp reports.
 */
function message(shape: Shape, field: Arbitrary<Field>): Arbitrary<MessageModel> {
  const framing = shape.answersHead && shape.framing === 'none' ? 'length' : shape.framing;
  return fc
    .record({
      body: body(framing, field),
      fields: fc.array(field, { maxLength: 5 }),
      connection: connectionValue(shape),
      te: transferEncoding,
      spellings: fc.array(fc.nat(2), { minLength: 4, maxLength: 4 }),
      positions: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
      befores: fc.array(ows, { minLength: 4, maxLength: 4 }),
      protocol: fc.constantFrom('websocket', 'h2c', 'foo/1.1'),
      tunnel: shape.upgrades ? latin1Data(16) : fc.constant(''),
    })
    .map((r) => {
      const control: [string, string][] = [];
      if (r.body.framing === 'length') control.push(['Content-Length', String(r.body.data.length)]);
      if (r.body.framing === 'chunked') control.push(['Transfer-Encoding', r.te]);
      if (r.connection !== null) control.push(['Connection', r.connection]);
      if (shape.upgradeHeader) control.push(['Upgrade', r.protocol]);
      const headers = [...r.fields];
      control.forEach(([name, value], i) => {
        const spelling = [name, name.toLowerCase(), name.toUpperCase()][r.spellings[i]!]!;
        const at = r.positions[i]! % (headers.length + 1);
        headers.splice(at, 0, { name: spelling, value, before: r.befores[i]!, after: '' });
      });
      const status = shape.start.kind === 'response' ? shape.start.status : 0;
      const closes =
        shape.versionMinor === 1
          ? /close/i.test(r.connection ?? '')
          : !/keep-alive/i.test(r.connection ?? '');
      // llhttp_message_needs_eof(): a response to HEAD or a CONNECT tunnel skips the body.
      const needsEof =
        shape.start.kind === 'response' &&
        !shape.answersHead &&
        !shape.upgrades &&
        !(status < 200 || status === 204 || status === 304) &&
        r.body.framing !== 'length' &&
        r.body.framing !== 'chunked';
      return {
        start: shape.start,
        versionMinor: shape.versionMinor,
        headers,
        body: shape.answersHead ? { framing: 'none' as const } : r.body,
        tunnel: r.tunnel,
        upgrade: shape.upgrades,
        shouldKeepAlive: !closes && !needsEof,
      };
    });
}

const versionMinor = fc.constantFrom<0 | 1>(0, 1);

/** Keep-alive; closing is allowed only when nothing follows. */
function persistence(last: boolean): Arbitrary<Persistence> {
  return last ? fc.constantFrom<Persistence>('keep-alive', 'close') : fc.constant('keep-alive');
}

/** request: one request; `last` allows the shapes after which nothing may follow. */
function request(last: boolean, field: Arbitrary<Field>): Arbitrary<MessageModel> {
  const plain = fc
    .record({
      start: requestLine,
      versionMinor,
      persistence: persistence(last),
      framing: fc.constantFrom<Framing>('none', 'length', 'chunked'),
    })
    .map((s) => ({
      ...s,
      // Transfer-Encoding is an HTTP/1.1 feature.
      framing: s.versionMinor === 0 && s.framing === 'chunked' ? ('length' as const) : s.framing,
      answersHead: false,
      upgradeHeader: false,
      upgrades: false,
    }));
  const framed = (shape: Shape) => message(shape, field);
  if (!last) return plain.chain(framed);
  const upgrade = fc
    .record({ start: requestLine, framing: fc.constantFrom<Framing>('none', 'length') })
    .map((s) => ({
      ...s,
      versionMinor: 1 as const,
      persistence: 'upgrade' as const,
      answersHead: false,
      upgradeHeader: true,
      upgrades: true,
    }));
  const connect = authorityForm.map((target) => ({
    start: { kind: 'request' as const, method: 'CONNECT', target },
    versionMinor: 1 as const,
    persistence: 'upgrade' as const,
    framing: 'none' as const,
    answersHead: false,
    upgradeHeader: false,
    upgrades: true,
  }));
  return fc.oneof({ weight: 6, arbitrary: plain }, upgrade, connect).chain(framed);
}

function statusLine(status: Arbitrary<number>): Arbitrary<StartLine> {
  return fc.record({ status, reason: reasonPhrase() }).map((s) => ({ kind: 'response', ...s }));
}

/** Exchange: the responses to one request, interim ones first, and that request's method. */
interface Exchange {
  responses: MessageModel[];
  method: string;
}

/** Most final responses come alone; some after one or two interim ones. */
function interims(field: Arbitrary<Field>): Arbitrary<MessageModel[]> {
  const interim = statusLine(fc.constantFrom(100, 102, 103)).chain((start) =>
    message(
      {
        start,
        versionMinor: 1,
        persistence: 'keep-alive',
        framing: 'none',
        answersHead: false,
        upgradeHeader: false,
        upgrades: false,
      },
      field,
    ),
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<MessageModel[]>([]) },
    fc.array(interim, { minLength: 1, maxLength: 2 }),
  );
}

/**
 * exchange: a final response (after 0–2 interim ones). With `methods`, it may
 * answer HEAD (body left out) or CONNECT (a 2xx then upgrades); `last`
 * allows closing, read-until-close and upgrading responses.
 */
function exchange(last: boolean, methods: boolean, field: Arbitrary<Field>): Arbitrary<Exchange> {
  const ordinary = fc
    .record({
      start: statusLine(
        fc.oneof(fc.integer({ min: 200, max: 599 }), fc.constantFrom(200, 204, 304, 404)),
      ),
      versionMinor,
      persistence: persistence(last),
      framing: last
        ? fc.constantFrom<Framing>('length', 'chunked', 'close')
        : fc.constantFrom<Framing>('length', 'chunked'),
      method: fc.constantFrom(...(methods ? ['GET', 'POST', 'HEAD'] : ['GET'])),
      advertise: fc.boolean(),
    })
    .map(({ method, advertise, ...s }) => {
      const status = s.start.kind === 'response' ? s.start.status : 0;
      const bodiless = status === 204 || status === 304;
      let framing = bodiless ? 'none' : s.framing;
      if (s.versionMinor === 0 && framing === 'chunked') framing = 'length';
      return {
        method,
        shape: {
          ...s,
          framing,
          answersHead: method === 'HEAD' && !bodiless,
          // A 2xx/4xx/5xx may announce `Upgrade`; only a 101 acts on it.
          upgradeHeader: advertise && s.versionMinor === 1 && s.persistence === 'keep-alive',
          upgrades: false,
        },
      };
    });
  const switching = statusLine(fc.constant(101)).map((start) => ({
    method: 'GET',
    shape: {
      start,
      versionMinor: 1 as const,
      persistence: 'upgrade' as const,
      framing: 'none' as const,
      answersHead: false,
      upgradeHeader: true,
      upgrades: true,
    },
  }));
  const tunnel = statusLine(fc.integer({ min: 200, max: 299 })).map((start) => ({
    method: 'CONNECT',
    shape: {
      start,
      versionMinor: 1 as const,
      persistence: 'upgrade' as const,
      framing: 'none' as const,
      answersHead: false,
      upgradeHeader: false,
      upgrades: true,
    },
  }));
  const finals = [{ weight: 6, arbitrary: ordinary }];
  if (last) finals.push({ weight: 1, arbitrary: switching });
  if (last && methods) finals.push({ weight: 1, arbitrary: tunnel });
  return fc
    .oneof(...finals)
    .chain(({ method, shape }) =>
      fc
        .tuple(interims(field), message(shape as Shape, field))
        .map(([interims, final]) => ({ responses: [...interims, final], method })),
    );
}

/** MessageOptions: what the message arbitraries generate. */
export interface MessageOptions {
  /** Most messages in one stream (pipelined; only the last may close or upgrade); default 4, at least 1. */
  maxMessages?: number;
  /** Mix valid but unusual header names and values in (see `fieldArbitrary`); default true. */
  hostileHeaders?: boolean;
}

/** ResponseOptions: `MessageOptions` and the requests the responses answer. */
export interface ResponseOptions extends MessageOptions {
  /**
   * Also answer HEAD (no body) and CONNECT (a 2xx upgrades) and set the
   * sample's `requestMethod`, as `ParserOptions.requestMethod` takes it;
   * default false (every response answers a GET).
   */
  withRequestMethod?: boolean;
}

/** pipelined: 1 to `max` units where only the last may end the connection. */
function pipelined<T>(unit: (last: boolean) => Arbitrary<T>, max: number): Arbitrary<T[]> {
  return fc
    .tuple(fc.array(unit(false), { maxLength: Math.max(max, 1) - 1 }), unit(true))
    .map(([init, last]) => [...init, last]);
}

/**
 * requestArbitrary generates streams of valid requests (a `Sample`): every
 * method llhttp knows, origin, absolute, authority (CONNECT) and asterisk
 * targets, HTTP/1.0 and 1.1, headers with their framing and connection
 * lines spelled and placed at random, bodies framed by length or chunked
 * (extensions, trailers), and a last request that may close or upgrade
 * (with tunnel bytes after it). Each model states what llhttp reports.
 */
export function requestArbitrary(options: MessageOptions = {}): Arbitrary<Sample> {
  const field = fieldArbitrary(options.hostileHeaders ?? true);
  return pipelined((last) => request(last, field), options.maxMessages ?? 4).map((messages) => ({
    kind: 'request',
    messages,
  }));
}

/**
 * responseArbitrary generates streams of valid responses (a `Sample`), as
 * `requestArbitrary` does requests: interim 1xx responses, bodiless 204 and
 * 304, bodies by length, chunked or (last) until close, and a last response
 * that may close, switch protocols (101) or, with `withRequestMethod`, open
 * a CONNECT tunnel.
 */
export function responseArbitrary(options: ResponseOptions = {}): Arbitrary<Sample> {
  const field = fieldArbitrary(options.hostileHeaders ?? true);
  const methods = options.withRequestMethod ?? false;
  const unit = (last: boolean) => exchange(last, methods, field);
  return pipelined(unit, options.maxMessages ?? 4).map((exchanges) => {
    const messages = exchanges.flatMap((e) => e.responses);
    if (!methods) return { kind: 'response', messages };
    return { kind: 'response', messages, requestMethod: exchanges.map((e) => e.method) };
  });
}

/** sampleArbitrary: requests, responses, and responses with request methods, evenly. */
export function sampleArbitrary(options: MessageOptions = {}): Arbitrary<Sample> {
  return fc.oneof(
    requestArbitrary(options),
    responseArbitrary(options),
    responseArbitrary({ ...options, withRequestMethod: true }),
  );
}
