/**
 * Command: one `httpwire` subcommand. `run` gets the arguments after the
 * subcommand's name and resolves with the exit code, or with nothing once a
 * server is up (the process then lives as long as its handles); a
 * UsageError it throws prints the message and `usage`, and exits 2.
 */
export interface Command {
  /** The word after `httpwire`. */
  name: string;
  /** One line for the overview. */
  summary: string;
  /** The subcommand's help text, ending in a newline. */
  usage: string;
  run(argv: string[], env: NodeJS.ProcessEnv): Promise<number | void>;
}
