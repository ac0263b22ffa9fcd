/**
 * The work every parser contender does per message: one object shaped like
 * `parseMessages()`'s, headers as `[name, value]` pairs, and the body kept as
 * the pieces the parser delivered (never concatenated), so that contenders
 * differ only in how they parse.
 */

import type { HeaderPair } from '../../dist/parser/index.js';

/** BenchMessage is what a contender builds for each complete message. */
export interface BenchMessage {
  method: string | null;
  url: string | null;
  status: number | null;
  statusText: string | null;
  versionMajor: number;
  versionMinor: number;
  headers: HeaderPair[];
  /** The body pieces in order, as the parser handed them over. */
  body: Uint8Array[];
  trailers: HeaderPair[];
  upgrade: boolean;
  shouldKeepAlive: boolean;
}

/**
 * ParseRun parses one whole sample (its chunks in order, one `execute` per
 * chunk) and returns the messages completed; it throws on a parse error or
 * when a chunk is not consumed whole.
 */
export type ParseRun = () => readonly unknown[];

/**
 * ParserContender is one way of parsing. `prepare` builds whatever is reused
 * across iterations (one parser, reused) and returns the run for `chunks`.
 */
export interface ParserContender {
  name: string;
  prepare(kind: 'request' | 'response', chunks: Buffer[]): ParseRun;
}

/** toPairs turns a flat `[name, value, name, value, ...]` list into pairs. */
export function toPairs(flat: readonly string[]): HeaderPair[] {
  const pairs: HeaderPair[] = new Array(flat.length >> 1);
  for (let i = 0, j = 0; i < flat.length; i += 2, j++) {
    pairs[j] = [flat[i]!, flat[i + 1]!];
  }
  return pairs;
}

/** parseFailure describes an `execute` that returned an error or stopped short. */
export function parseFailure(who: string, result: number | Error, length: number): Error {
  return result instanceof Error
    ? new Error(`${who}: ${result.message}`, { cause: result })
    : new Error(`${who}: consumed ${result} of ${length} bytes`);
}
