import type { Command } from './command.js';
import { diffCommand } from './diff-command.js';
import { forwardCommand } from './forward-command.js';
import { caCommand } from './ca-command.js';
import { parseCommand } from './parse-command.js';
import { proxyCommand } from './proxy-command.js';

/** COMMANDS: every subcommand, in the order the overview lists them (one import and one entry each). */
export const COMMANDS: readonly Command[] = [
  proxyCommand,
  forwardCommand,
  caCommand,
  parseCommand,
  diffCommand,
];
