import { COMMON_NAMES } from '../parser/common-names.js';
import type { HeaderPair } from '../parser/types.js';
import { assertHeaderName, assertHeaderValue } from './field-syntax.js';

/** HeaderInit: what `Header.from` accepts. */
export type HeaderInit =
  | Header
  | Readonly<Record<string, string | readonly string[]>>
  | Iterable<readonly [string, string]>;

/** Lower-case forms of common header names, in canonical and lower case, computed once. */
const LOWER_CASE: ReadonlyMap<string, string> = new Map(
  COMMON_NAMES.flatMap((name) => {
    const lower = name.toLowerCase();
    return [
      [name, lower],
      [lower, lower],
    ];
  }),
);

/** lowerName lower-cases a header name, without allocating for the common ones. */
function lowerName(name: string): string {
  return LOWER_CASE.get(name) ?? name.toLowerCase();
}

/** The lines of every Header until its first line is added: shared, never changed (see `#own`). */
const NO_LINES: (string | null)[] = [];

// Set by Header's static block: the module's access to its lines.
let appendLines: (dst: Header, src: Header) => void;
let pairsOf: (h: Header) => HeaderPair[];
let lineCount: (h: Header) => number;
let appendLine: (h: Header, name: string, value: string) => void;
let deleteLower: (h: Header, lowerNames: LowerNames) => void;

/** initError is the TypeError for a Header init, or for an entry of an iterable one, of the wrong kind. */
function initError(got: unknown, entry: boolean): TypeError {
  const kind = Array.isArray(got)
    ? `an array of ${got.length}`
    : got === null
      ? 'null'
      : typeof got;
  const want = entry
    ? 'each entry of a header init must be a [name, value] pair'
    : 'header init must be a Header, an object of strings or string arrays, or [name, value] pairs';
  return new TypeError(`${want}, got ${kind}`);
}

/** LowerNames: a set of lower-case field names, as far as `deleteHeaderNames` needs one. */
export type LowerNames = Pick<ReadonlySet<string>, 'has'>;

/** deleteHeaderNames removes every line whose lower-case name is in `lowerNames`, in one pass (`delete` for each, at once). */
export function deleteHeaderNames(h: Header, lowerNames: LowerNames): void {
  deleteLower(h, lowerNames);
}

/** isEmptyHeader reports whether `h` has no line, not even a null-valued name (`size === 0`, without counting names). */
export function isEmptyHeader(h: Header): boolean {
  return lineCount(h) === 0;
}

/** appendTrustedLine adds `name: value` unchecked, as `add` would: for a line the code itself made valid (a Date). */
export function appendTrustedLine(h: Header, name: string, value: string): void {
  appendLine(h, name, value);
}

/**
 * appendHeaderLines adds every line of `src` with a value to `dst`, in
 * order, checked, as `dst.add` would (a null-valued name in `dst` takes
 * its first value; a bad line throws ERR_INVALID_HEADER, and the lines
 * before it stay added), without an iterator. Not for a ResponseHeader
 * `src` (its prefixed fields are elsewhere) or names with a TrailerPrefix.
 */
export function appendHeaderLines(dst: Header, src: Header): void {
  appendLines(dst, src);
}

/** headerPairs returns the lines with a value as `[name, value]` pairs, in wire order, without an iterator. */
export function headerPairs(h: Header): HeaderPair[] {
  return pairsOf(h);
}

/**
 * Header is a case-insensitive multimap of header fields that keeps wire
 * order and the original case of names. Values are strings, one per line;
 * `set(name, null)` keeps the name with no value (Go's nil slice): such a
 * name is written as nothing and iterates as nothing, but `has()` is true.
 * Every name must be an RFC 9110 token and no value may hold CR, LF, NUL or
 * another control character: `set`/`add` throw a `ProtocolError` with code
 * `ERR_INVALID_HEADER` before changing anything.
 */
export class Header implements Iterable<HeaderPair> {
  /**
   * Lines in wire order, three slots each: name as given, lower-case name,
   * value (null = no value). Lookups scan it: headers are short, and a scan
   * of interned names beats keeping an index up to date per request.
   */
  #list: (string | null)[] = NO_LINES;
  /** Number of null-valued lines: while 0, `add` needs no scan. */
  #nulls = 0;

  /**
   * Makes a Header holding a copy of `init`: a Header (null-valued names
   * kept), a plain object of strings or string arrays, or an iterable of
   * `[name, value]` pairs (a fetch `Headers` is one), as a Request's
   * `header`. A value that is not a string, or an entry that is not a
   * pair, throws a TypeError naming the field; a name or value that may
   * not go on the wire throws `ERR_INVALID_HEADER`.
   */
  constructor(init?: HeaderInit | null) {
    if (init == null) return;
    if (init instanceof Header) {
      if (init.#list.length > 0) this.#list = init.#list.slice();
      this.#nulls = init.#nulls;
      return;
    }
    if (typeof init !== 'object') throw initError(init, false);
    if (Symbol.iterator in init) {
      for (const pair of init as Iterable<unknown>) {
        if (!Array.isArray(pair) || pair.length !== 2) throw initError(pair, true);
        this.add(pair[0] as string, pair[1] as string);
      }
      return;
    }
    for (const name of Object.keys(init)) {
      const value: unknown = (init as Record<string, unknown>)[name];
      if (!Array.isArray(value)) this.add(name, value as string);
      else for (const v of value) this.add(name, v as string);
    }
  }

  /** Header.from copies `init` as the constructor does; null or undefined gives an empty Header. */
  static from(init?: HeaderInit | null): Header {
    return new Header(init);
  }

  /**
   * Header.fromWire wraps pairs read by our parser without re-checking them
   * (the writers check every line again before sending it), leaving out the
   * lower-case names in `exclude`.
   */
  static fromWire(pairs: readonly HeaderPair[], exclude?: ReadonlySet<string>): Header {
    const h = new Header();
    const list: (string | null)[] = [];
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i]!;
      const lower = lowerName(pair[0]);
      if (exclude === undefined || !exclude.has(lower)) list.push(pair[0], lower, pair[1]);
    }
    if (list.length > 0) h.#list = list;
    return h;
  }

  /** get returns the first value of `name`, or null when it has none. */
  get(name: string): string | null {
    const lower = lowerName(name);
    const list = this.#list;
    for (let i = 0; i < list.length; i += 3) {
      if (list[i + 1] === lower && list[i + 2] !== null) return list[i + 2]!;
    }
    return null;
  }

  /** values returns every value of `name` in wire order (a new array; empty when absent or null). */
  values(name: string): string[] {
    const lower = lowerName(name);
    const out: string[] = [];
    const list = this.#list;
    for (let i = 0; i < list.length; i += 3) {
      if (list[i + 1] === lower && list[i + 2] !== null) out.push(list[i + 2]!);
    }
    return out;
  }

  /** has reports whether `name` is present, even with a null value. */
  has(name: string): boolean {
    return this.#first(lowerName(name)) >= 0;
  }

  /**
   * set replaces every value of `name` with `value` (one line per array
   * element) at the place of its first line, or at the end when absent.
   * `null` keeps the name with no value; an empty array removes it.
   */
  set(name: string, value: string | readonly string[] | null): this {
    assertHeaderName(name);
    // A lone non-string value is checked as one, so that the TypeError names the field.
    const values = (value === null || Array.isArray(value) ? value : [value]) as string[] | null;
    if (values !== null) for (const v of values as unknown[]) assertHeaderValue(name, v);
    const lower = lowerName(name);
    const lines: (string | null)[] = [];
    if (values === null) lines.push(name, lower, null);
    else for (const v of values) lines.push(name, lower, v);
    let at = this.#first(lower);
    if (at >= 0) this.#remove(at, lower, null);
    else at = this.#list.length;
    this.#own().splice(at, 0, ...lines);
    if (values === null) this.#nulls++;
    return this;
  }

  /** add appends one line `name: value`; a null-valued name gets its first value. */
  add(name: string, value: string): this {
    assertHeaderName(name);
    assertHeaderValue(name, value);
    this.#append(name, value);
    return this;
  }

  /** addWire appends pairs read by our parser, unchecked (see `fromWire`). */
  addWire(pairs: readonly HeaderPair[]): this {
    for (let i = 0; i < pairs.length; i++) this.#append(pairs[i]![0], pairs[i]![1]);
    return this;
  }

  /** delete removes every line of `name`; it reports whether there was one. */
  delete(name: string): boolean {
    const lower = lowerName(name);
    const at = this.#first(lower);
    if (at < 0) return false;
    this.#remove(at, lower, null);
    return true;
  }

  /** clone returns an independent copy, null-valued names included. */
  clone(): Header {
    return new Header(this);
  }

  /** names returns each distinct name once, in first-appearance order and original case, null-valued ones included. */
  names(): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const list = this.#list;
    for (let i = 0; i < list.length; i += 3) {
      const lower = list[i + 1]!;
      if (!seen.has(lower)) {
        seen.add(lower);
        out.push(list[i]!);
      }
    }
    return out;
  }

  /**
   * wireLines returns the lines `Name: value\r\n` in wire order (Go's
   * Header.WriteSubset), leaving out null-valued names and the lower-case
   * names in `exclude`. Every line is checked again, since lines from the
   * wire are kept unchecked: a bad one throws `ERR_INVALID_HEADER`.
   */
  wireLines(exclude?: ReadonlySet<string>): string {
    let out = '';
    const list = this.#list;
    for (let i = 0; i < list.length; i += 3) {
      const value = list[i + 2];
      if (value === null || exclude?.has(list[i + 1]!)) continue;
      const name = list[i]!;
      assertHeaderName(name);
      assertHeaderValue(name, value!);
      out += name + ': ' + value + '\r\n';
    }
    return out;
  }

  /** size is the number of distinct names, null-valued ones included. */
  get size(): number {
    const seen = new Set<string>();
    const list = this.#list;
    for (let i = 1; i < list.length; i += 3) seen.add(list[i]!);
    return seen.size;
  }

  /** Iteration yields `[name, value]` for each line in wire order; null-valued names yield nothing. */
  *[Symbol.iterator](): IterableIterator<HeaderPair> {
    const list = this.#list;
    for (let i = 0; i < list.length; i += 3) {
      if (list[i + 2] !== null) yield [list[i]!, list[i + 2]!];
    }
  }

  static {
    appendLines = (dst, src) => {
      const list = src.#list;
      for (let i = 0; i < list.length; i += 3) {
        const value = list[i + 2]!;
        if (value === null) continue;
        const name = list[i]!;
        assertHeaderName(name);
        assertHeaderValue(name, value);
        dst.#append(name, value);
      }
    };
    lineCount = (h) => h.#list.length;
    deleteLower = (h, lowerNames) => h.#remove(0, null, lowerNames);
    appendLine = (h, name, value) => h.#append(name, value);
    pairsOf = (h) => {
      const out: HeaderPair[] = [];
      const list = h.#list;
      for (let i = 0; i < list.length; i += 3) {
        const value = list[i + 2];
        if (value !== null) out.push([list[i]!, value!]);
      }
      return out;
    };
  }

  #append(name: string, value: string): void {
    const lower = lowerName(name);
    if (this.#nulls > 0) {
      // A null-valued name takes its first value in place, as Go's append(nil, v).
      const at = this.#first(lower);
      if (at >= 0 && this.#list[at + 2] === null) {
        this.#list[at + 2] = value;
        this.#nulls--;
        return;
      }
    }
    this.#own().push(name, lower, value);
  }

  /** #own returns the lines to change, no longer the shared empty list. */
  #own(): (string | null)[] {
    if (this.#list === NO_LINES) this.#list = [];
    return this.#list;
  }

  /** Slot of the first line of `lower`, or -1. */
  #first(lower: string): number {
    const list = this.#list;
    for (let at = 0; at < list.length; at += 3) if (list[at + 1] === lower) return at;
    return -1;
  }

  /**
   * Removes every line at or after slot `from` (0, or the first line of
   * `lower`) whose lower-case name is `lower` or in `lowerNames`.
   */
  #remove(from: number, lower: string | null, lowerNames: LowerNames | null): void {
    const list = this.#list;
    let w = from;
    for (let r = from; r < list.length; r += 3) {
      const name = list[r + 1]!;
      if (name === lower || lowerNames?.has(name) === true) {
        if (list[r + 2] === null) this.#nulls--;
        continue;
      }
      list[w] = list[r]!;
      list[w + 1] = name;
      list[w + 2] = list[r + 2]!;
      w += 3;
    }
    if (w < list.length) list.length = w; // the shared empty list is never shortened
  }
}
