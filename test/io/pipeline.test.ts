import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/io/pipeline.js';

describe('Pipeline (Go textproto.Pipeline)', () => {
  it('hands out ids in order from zero', () => {
    const pipe = new Pipeline();
    expect([pipe.next(), pipe.next(), pipe.next()]).toEqual([0, 1, 2]);
  });

  it('starts the first request and response at once', () => {
    const pipe = new Pipeline();
    const id = pipe.next();
    expect(pipe.startRequest(id)).toBeUndefined();
    expect(pipe.startResponse(id)).toBeUndefined();
  });

  it('runs request turns in id order when started out of order', async () => {
    const pipe = new Pipeline();
    const ids = [pipe.next(), pipe.next(), pipe.next()];
    const order: number[] = [];
    const turn = async (id: number) => {
      await pipe.startRequest(id);
      order.push(id);
      await Promise.resolve();
      pipe.endRequest(id);
    };
    await Promise.all([turn(ids[2]!), turn(ids[1]!), turn(ids[0]!)]);
    expect(order).toEqual([0, 1, 2]);
  });

  it('makes a later response wait until every earlier one has ended', async () => {
    const pipe = new Pipeline();
    const first = pipe.next();
    const second = pipe.next();
    let started = false;
    const waiting = pipe.startResponse(second)!.then(() => {
      started = true;
    });
    expect(pipe.startResponse(first)).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(false);
    pipe.endResponse(first);
    await waiting;
    expect(started).toBe(true);
  });

  it('keeps request and response turns independent', async () => {
    const pipe = new Pipeline();
    const first = pipe.next();
    const second = pipe.next();
    pipe.endRequest(first);
    expect(pipe.startRequest(second)).toBeUndefined();
    // the response side is still on turn 0
    let started = false;
    const waiting = pipe.startResponse(second)!.then(() => (started = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(false);
    pipe.endResponse(first);
    await waiting;
    expect(started).toBe(true);
  });

  it('refuses to end a turn that is not the current one', () => {
    const pipe = new Pipeline();
    pipe.next();
    const second = pipe.next();
    expect(() => pipe.endRequest(second)).toThrow(/end of turn 1 during turn 0/);
    expect(() => pipe.endResponse(second)).toThrow(/end of turn 1 during turn 0/);
  });

  it('wakes a long queue of waiters one by one in order', async () => {
    const pipe = new Pipeline();
    const ids = Array.from({ length: 100 }, () => pipe.next());
    const order: number[] = [];
    const turns = ids
      .slice()
      .reverse()
      .map(async (id) => {
        await pipe.startResponse(id);
        order.push(id);
        pipe.endResponse(id);
      });
    await Promise.all(turns);
    expect(order).toEqual(ids);
  });

  it('skips a response turn at once when it is current, and later when it is not (Go: StartResponse + EndResponse)', async () => {
    const pipe = new Pipeline();
    const first = pipe.next();
    const second = pipe.next();
    const third = pipe.next();
    pipe.skipResponse(second); // not its turn yet: skipped when the first ends
    let thirdStarted = false;
    const waiting = Promise.resolve(pipe.startResponse(third)).then(() => {
      thirdStarted = true;
    });
    pipe.skipResponse(first); // its turn now: ended at once
    await waiting;
    expect(thirdStarted).toBe(true);
    pipe.endResponse(third);
  });
});
