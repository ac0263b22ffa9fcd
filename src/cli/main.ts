#!/usr/bin/env node
/**
 * The httpwire command line: `httpwire <command> [flags]`. Without a command
 * it prints the overview and exits 2; `--version` prints the version.
 * Exit status: 0 done, 1 failed, 2 usage error.
 */
import { readFileSync } from 'node:fs';
import type { Command } from './command.js';
import { COMMANDS } from './commands.js';
import { UsageError } from './flags.js';
import { errorMessage } from '../errors.js';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: httpwire <command> [flags]\n\n${lines.join('\n')}\n\n  httpwire <command> --help   the command's flags\n  httpwire --version\n`;
}

function version(): string {
  const pkg = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

async function main(argv: string[]): Promise<number | void> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    process.stdout.write(`httpwire ${version()}\n`);
    return 0;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(overview());
    return 0;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    const what = name === undefined ? 'no command given' : `unknown command ${name}`;
    process.stderr.write(`httpwire: ${what}\n\n${overview()}`);
    return 2;
  }
  try {
    return await command.run(rest, process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`httpwire: ${err.message}\n\n${command.usage}`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`httpwire: ${errorMessage(err)}\n`);
    process.exitCode = 1;
  },
);
