/**
 * METHODS: llhttp's method table, name → llhttp's number. The request line
 * accepts any of them; `HTTP/x.y` then requires an HTTP method, `RTSP/x.y`
 * an RTSP one and `ICE/x.y` SOURCE, exactly as llhttp does.
 */
export const METHODS = {
  DELETE: 0,
  GET: 1,
  HEAD: 2,
  POST: 3,
  PUT: 4,
  CONNECT: 5,
  OPTIONS: 6,
  TRACE: 7,
  COPY: 8,
  LOCK: 9,
  MKCOL: 10,
  MOVE: 11,
  PROPFIND: 12,
  PROPPATCH: 13,
  SEARCH: 14,
  UNLOCK: 15,
  BIND: 16,
  REBIND: 17,
  UNBIND: 18,
  ACL: 19,
  REPORT: 20,
  MKACTIVITY: 21,
  CHECKOUT: 22,
  MERGE: 23,
  'M-SEARCH': 24,
  NOTIFY: 25,
  SUBSCRIBE: 26,
  UNSUBSCRIBE: 27,
  PATCH: 28,
  PURGE: 29,
  MKCALENDAR: 30,
  LINK: 31,
  UNLINK: 32,
  SOURCE: 33,
  PRI: 34,
  DESCRIBE: 35,
  ANNOUNCE: 36,
  SETUP: 37,
  PLAY: 38,
  PAUSE: 39,
  TEARDOWN: 40,
  GET_PARAMETER: 41,
  SET_PARAMETER: 42,
  REDIRECT: 43,
  RECORD: 44,
  FLUSH: 45,
  QUERY: 46,
} as const;

/** MethodName: a method llhttp knows. */
export type MethodName = keyof typeof METHODS;

const RTSP_ONLY = [
  'DESCRIBE',
  'ANNOUNCE',
  'SETUP',
  'PLAY',
  'PAUSE',
  'TEARDOWN',
  'GET_PARAMETER',
  'SET_PARAMETER',
  'REDIRECT',
  'RECORD',
  'FLUSH',
];
const RTSP_SHARED = ['OPTIONS', 'GET', 'POST'];

/** HTTP_METHODS: the methods allowed with `HTTP/x.y`. */
export const HTTP_METHODS: ReadonlySet<string> = new Set(
  Object.keys(METHODS).filter((m) => !RTSP_ONLY.includes(m)),
);
/** RTSP_METHODS: the methods allowed with `RTSP/x.y`. */
export const RTSP_METHODS: ReadonlySet<string> = new Set([...RTSP_ONLY, ...RTSP_SHARED]);
/** ICE_METHODS: the methods allowed with `ICE/x.y` (Icecast). */
export const ICE_METHODS: ReadonlySet<string> = new Set(['SOURCE']);

const PREFIXES: ReadonlySet<string> = new Set(
  Object.keys(METHODS).flatMap((m) =>
    Array.from({ length: m.length + 1 }, (_, n) => m.slice(0, n)),
  ),
);

/** methodPrefixLength: how many leading bytes of `name` llhttp's method trie matches. */
export function methodPrefixLength(name: string): number {
  let n = 0;
  while (n < name.length && PREFIXES.has(name.slice(0, n + 1))) n++;
  return n;
}

/** METHOD_NUMBERS: METHODS as a Map, for looking up a method name read from the wire. */
export const METHOD_NUMBERS: ReadonlyMap<string, number> = new Map(Object.entries(METHODS));
