/** StopSteps: how a `httpwire` process stops on SIGINT or SIGTERM. */
export interface StopSteps {
  /** How many connections a graceful stop waits for now. */
  waiting(): number | Promise<number>;
  /** Stops gracefully: resolves once every request in flight was answered. */
  stop(): Promise<void>;
  /** Ends what would outlive a forced exit (worker processes); the process exits right after. */
  force(): void;
}

/**
 * onStopSignals handles SIGINT and SIGTERM: the first says on stderr how
 * many connections it waits for and stops gracefully, exiting 0 once done;
 * a second forces the exit at once, with status 1.
 */
export function onStopSignals(steps: StopSteps): void {
  let stopping = false;
  const onSignal = () => {
    if (stopping) {
      process.stderr.write('httpwire: forced exit\n');
      steps.force();
      process.exit(1);
    }
    stopping = true;
    void (async () => {
      const n = await steps.waiting();
      process.stderr.write(
        `httpwire: stopping, waiting for ${n} connection${n === 1 ? '' : 's'} (press Ctrl-C again to force)\n`,
      );
      await steps.stop();
      // Hijacked connections (WebSockets) are not waited for, as in Go's
      // Shutdown; they would keep the process alive, so they end with it.
      process.stdout.write('', () => process.exit(0));
    })().catch((err: unknown) => {
      process.stderr.write(`httpwire: stopping failed: ${(err as Error).message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
