/** Responses a raw client received, parsed with our parser, for tests that look at status and body rather than exact bytes. */
import { parseMessages } from '../../src/parser/index.js';

/** Received: one response as a test looks at it. */
export interface Received {
  status: number;
  /** The first value of the field `name` (any case), or null. */
  field(name: string): string | null;
  /** The body as latin1 text. */
  text: string;
}

/**
 * responsesIn parses every complete response in `received` (the responses
 * to GET or POST requests, in order) and throws if the bytes after them
 * are not a clean end: a partial or malformed response.
 */
export function responsesIn(received: Uint8Array): Received[] {
  const { messages, error } = parseMessages('response', received);
  if (error !== null) throw error;
  return messages.map((m) => ({
    status: m.status!,
    field: (name) => m.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1] ?? null,
    text: Buffer.from(m.body).toString('latin1'),
  }));
}
