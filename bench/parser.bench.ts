/**
 * Parser throughput: httpwire's Parser against Node's bundled llhttp (driven
 * through its binding as node:http drives it) and http-parser-js, on the same
 * samples, interleaved in one run. Every contender builds the same message
 * objects; see bench/parser/message.ts.
 */
import type { Bench, BenchOptions } from './bench.js';
import { pairedRatio, timeInterleaved } from './harness.js';
import { httpParserJs } from './parser/http-parser-js.js';
import { httpwireParseMessages, httpwireParser } from './parser/httpwire.js';

import type { BenchMessage, ParserContender } from './parser/message.js';
import { nativeLlhttp } from './parser/native-llhttp.js';
import type { ParserSample } from './parser/samples.js';
import {
  browserRequests,
  chunkedResponses,
  contentLengthResponses,
  sliced,
  smallGets,
  TCP_SEGMENT,
} from './parser/samples.js';
import { formatBytes, formatRate, formatTable } from './report.js';

const CONTENDERS: readonly ParserContender[] = [
  httpwireParser,
  httpwireParseMessages,
  nativeLlhttp,
  httpParserJs,
];

/** ContenderResult: one row of a sample's table. */
export interface ContenderResult {
  contender: string;
  /** Median over rounds, in 10^6 bytes per second. */
  mbPerSec: number;
  messagesPerSec: number;
  /** Interquartile range over median, over rounds. */
  spread: number;
  /** Median over rounds of this row's rate over native llhttp's in the same round. */
  vsNative: number;
  /** Median over rounds of this row's rate over http-parser-js's in the same round. */
  vsHttpParserJs: number;
  /** Every round's MB/s, in round order. */
  roundsMbPerSec: number[];
}

/** SampleResult: one sample's table. */
export interface SampleResult {
  sample: string;
  description: string;
  bytes: number;
  messages: number;
  chunks: number;
  results: ContenderResult[];
}

function samples(): ParserSample[] {
  const contentLength = contentLengthResponses();
  const chunked = chunkedResponses();
  return [
    smallGets(),
    browserRequests(),
    contentLength,
    chunked,
    sliced(contentLength, TCP_SEGMENT),
    sliced(chunked, TCP_SEGMENT),
  ];
}

/**
 * describe renders messages with bodies joined, so contenders that deliver
 * body pieces differently still compare equal when they parsed the same.
 */
function describe(messages: readonly unknown[]): string {
  return JSON.stringify(
    messages.map((message) => {
      const m = message as Omit<BenchMessage, 'body'> & { body: Uint8Array | Uint8Array[] };
      const body = Array.isArray(m.body) ? Buffer.concat(m.body) : m.body;
      return [
        m.method,
        m.url,
        m.status,
        m.statusText,
        m.versionMajor,
        m.versionMinor,
        m.headers,
        Buffer.from(body).toString('latin1'),
        m.trailers,
        m.upgrade,
        m.shouldKeepAlive,
      ];
    }),
  );
}

function benchSample(sample: ParserSample, options: BenchOptions): SampleResult {
  const runs = CONTENDERS.map((c) => c.prepare(sample.kind, sample.chunks));
  const want = describe(runs[CONTENDERS.indexOf(nativeLlhttp)]!());
  runs.forEach((run, i) => {
    if (describe(run()) !== want) {
      throw new Error(`${CONTENDERS[i]!.name} parses ${sample.name} unlike node llhttp`);
    }
  });

  const timings = timeInterleaved(
    CONTENDERS.map((c, i) => ({
      name: c.name,
      run: () => runs[i]!().length,
      unitsPerRun: sample.messages,
    })),
    options,
  );
  const native = timings[CONTENDERS.indexOf(nativeLlhttp)]!;
  const parserJs = timings[CONTENDERS.indexOf(httpParserJs)]!;
  const results = timings.map((t) => ({
    contender: t.name,
    mbPerSec: (t.opsPerSec * sample.bytes) / 1e6,
    messagesPerSec: t.opsPerSec * sample.messages,
    spread: t.spread,
    vsNative: pairedRatio(t, native),
    vsHttpParserJs: pairedRatio(t, parserJs),
    roundsMbPerSec: t.rounds.map((ops) => (ops * sample.bytes) / 1e6),
  }));

  const chunks = sample.chunks.length;
  options.print(
    `\n${sample.name}: ${sample.description} ` +
      `(${formatBytes(sample.bytes)}, ${chunks} execute call${chunks === 1 ? '' : 's'})`,
  );
  options.print(
    formatTable(
      ['contender', 'MB/s', 'msgs/s', 'spread', 'vs native', 'vs http-parser-js'],
      results.map((r) => [
        r.contender,
        r.mbPerSec.toFixed(1),
        formatRate(r.messagesPerSec),
        `${(r.spread * 100).toFixed(1)}%`,
        `${r.vsNative.toFixed(2)}×`,
        `${r.vsHttpParserJs.toFixed(2)}×`,
      ]),
    ),
  );
  return {
    sample: sample.name,
    description: sample.description,
    bytes: sample.bytes,
    messages: sample.messages,
    chunks,
    results,
  };
}

/** bench: the parser throughput bench, one table per sample. */
export const bench: Bench = {
  name: 'parser',
  run(options) {
    return samples()
      .filter((s) => s.name.includes(options.sampleFilter))
      .map((s) => benchSample(s, options));
  },
};
