import { readFile } from 'node:fs/promises';
import { LENIENT_FLAGS } from '../parser/constants.js';
import type { ParserKind, ParserOptions } from '../parser/types.js';
import { type FlagSpec, readFlags, type ReadFlags, UsageError } from './flags.js';

/** PARSER_FLAGS: the flags `httpwire parse` and `httpwire diff` share. */
const PARSER_FLAGS: FlagSpec = {
  request: { kind: 'boolean' },
  response: { kind: 'boolean' },
  method: { kind: 'string', repeat: true },
  lenient: { kind: 'string', repeat: true },
  'max-header-bytes': { kind: 'integer' },
};

/** PARSER_FLAGS_USAGE: the help lines of `PARSER_FLAGS`. */
export const PARSER_FLAGS_USAGE = `  --request              read requests (the default for parse)
  --response             read responses
  --method M             responses answer a request with method M (HEAD: no body, CONNECT:
                         a 2xx upgrades); repeat it for pipelined responses, in order
  --lenient FLAG         enable one of llhttp's leniencies (repeatable): ${Object.keys(LENIENT_FLAGS).join(', ')}
  --max-header-bytes N   largest head in bytes (default 65536)
`;

/** ParserFlags: what the shared flags ask for; `kind` is null when neither --request nor --response was given. */
interface ParserFlags {
  kind: ParserKind | null;
  options: ParserOptions;
}

/** parserFlags reads the shared flags: an unknown leniency or both kinds throw a UsageError. */
function parserFlags({ values }: ReadFlags): ParserFlags {
  if (values.has('request') && values.has('response')) {
    throw new UsageError('--request and --response exclude each other');
  }
  const kind = values.has('response') ? 'response' : values.has('request') ? 'request' : null;
  let lenient = 0;
  for (const name of (values.get('lenient') ?? []) as string[]) {
    const bit = LENIENT_FLAGS[name.toUpperCase().replace(/-/g, '_') as keyof typeof LENIENT_FLAGS];
    if (bit === undefined) throw new UsageError(`unknown --lenient flag ${name}`);
    lenient |= bit;
  }
  const options: ParserOptions = { lenient };
  const methods = (values.get('method') ?? []) as string[];
  if (methods.length > 0) options.requestMethod = methods.length === 1 ? methods[0]! : methods;
  const max = values.get('max-header-bytes')?.[0] as number | undefined;
  if (max !== undefined) {
    if (max < 1) throw new UsageError('--max-header-bytes must be positive');
    options.maxHeaderBytes = max;
  }
  return { kind, options };
}

/** ParserCommandFlags: a parser subcommand's flags, read. */
export interface ParserCommandFlags extends ParserFlags {
  /** The positional arguments. */
  positionals: string[];
}

/**
 * readParserCommand reads the flags of `parse` or `diff`: with `--help` it
 * prints `usage` and returns null; a bad flag throws a UsageError.
 */
export function readParserCommand(argv: string[], usage: string): ParserCommandFlags | null {
  const flags = readFlags(argv, PARSER_FLAGS);
  if (flags.values.has('help')) {
    process.stdout.write(usage);
    return null;
  }
  return { ...parserFlags(flags), positionals: flags.positionals };
}

/** readInput reads a whole file, or standard input for `-`. */
export async function readInput(path: string): Promise<Uint8Array> {
  if (path !== '-') return readFile(path);
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}
