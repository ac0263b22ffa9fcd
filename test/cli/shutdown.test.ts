/** `httpwire proxy` stopping: the first Ctrl-C waits and says for what, the second forces the exit. */
import { describe, expect, it } from 'vitest';
import { setupCli, startProxyCli } from './harness.js';
import { deferred, startNodeBackend, within } from '../e2e/e2e-harness.js';
import { connectTo } from '../helpers/raw-peer.js';
import { settles } from '../helpers/waiting.js';

setupCli();

describe('httpwire proxy Ctrl-C', () => {
  it('says how many connections the first waits for; the second forces exit 1', async () => {
    const arrived = deferred();
    const backend = await startNodeBackend(() => arrived.resolve()); // never answers
    const cli = await startProxyCli([backend.origin]);
    const socket = await connectTo(Number(new URL(cli.url).port));
    socket.on('error', () => undefined);
    socket.write('GET /hang HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(arrived.promise, 5000, 'the request at the backend');
    cli.child.kill('SIGINT');
    expect(await settles(() => cli.stderr().endsWith('\n'), 5000)).toBe(true);
    expect(cli.stderr()).toBe(
      'httpwire: stopping, waiting for 1 connection (press Ctrl-C again to force)\n',
    );
    expect(cli.child.exitCode).toBeNull(); // still waiting for the request
    cli.child.kill('SIGINT');
    expect(await within(cli.exited, 5000, 'the forced exit')).toBe(1);
    expect(cli.stderr()).toContain('httpwire: forced exit\n');
    socket.destroy();
  });

  it('says it waits for 0 connections and exits 0 when idle', async () => {
    const backend = await startNodeBackend();
    const cli = await startProxyCli([backend.origin]);
    cli.child.kill('SIGINT');
    expect(await within(cli.exited, 5000, 'the exit')).toBe(0);
    expect(cli.stderr()).toBe(
      'httpwire: stopping, waiting for 0 connections (press Ctrl-C again to force)\n',
    );
  });
});
