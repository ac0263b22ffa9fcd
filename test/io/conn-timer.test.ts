/** ConnTimer: a connection's deadline, re-armed without a new Node timer per request. */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ConnTimer } from '../../src/io/conn-timer.js';
import { expectNoLeaks } from '../helpers/leaks.js';

describe('ConnTimer', () => {
  it('fires once, a full period after its last start, when restarted with the same duration', async () => {
    const timer = new ConnTimer();
    let fired = 0;
    timer.start(80, () => fired++);
    await sleep(50);
    timer.start(80, () => fired++); // re-armed: the period starts again
    await sleep(50);
    expect(fired).toBe(0);
    await sleep(60);
    expect(fired).toBe(1);
    expect(timer.armed).toBe(false);
    timer.dispose();
  });

  it('does nothing when it fires after stop, and starts again afterwards', async () => {
    const timer = new ConnTimer();
    let fired = 0;
    timer.start(30, () => fired++);
    timer.stop();
    await sleep(60);
    expect(fired).toBe(0);
    timer.start(30, () => fired++);
    await sleep(60);
    expect(fired).toBe(1);
    timer.dispose();
  });

  it('takes a new duration, and leaves no timer behind after dispose, unref’d ones included', async () => {
    await expectNoLeaks(
      async () => {
        const timer = new ConnTimer();
        let which = '';
        timer.start(10_000, () => (which = 'long'));
        timer.start(20, () => (which = 'short'));
        await sleep(60);
        expect(which).toBe('short');
        timer.start(10_000, () => (which = 'long'));
        timer.stop(); // disarmed, still scheduled
        timer.dispose(); // cleared
        expect(timer.armed).toBe(false);
      },
      { timeoutMs: 500 },
    );
  });

  it('arms nothing for a timeout of 0', () => {
    const timer = new ConnTimer();
    timer.start(0, () => {});
    expect(timer.armed).toBe(false);
    timer.dispose();
  });
});
