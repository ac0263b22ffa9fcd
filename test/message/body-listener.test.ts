/**
 * Body's callback consumer ([LISTEN]): what the writers' fast path relies
 * on — order, pause/resume with the producer's onDrain, end and failure
 * after the chunks and never inside the producer's call, abandonment.
 */
import { describe, expect, it } from 'vitest';
import { Body } from '../../src/message/body.js';
import { type BodyListener, LISTEN, LISTENABLE } from '../../src/message/body-listener.js';

/** recorder is a listener writing what it gets into `events`; `room` chunks are taken before it pauses. */
function recorder(room = Infinity) {
  const events: string[] = [];
  let left = room;
  const listener: BodyListener = {
    data(chunk) {
      events.push(Buffer.from(chunk).toString());
      return --left > 0;
    },
    end: () => events.push('end'),
    error: (err) => events.push(`error: ${err.message}`),
  };
  return { events, listener, refill: (n: number) => (left = n) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Body listener', () => {
  it('gives the buffered chunks on the first resume, then each push as it comes', () => {
    const body = new Body();
    body.push(Buffer.from('a'));
    const { events, listener } = recorder();
    const tap = body[LISTEN](listener);
    expect(body.consumed).toBe(true);
    expect(events).toEqual([]);
    tap.resume();
    expect(events).toEqual(['a']);
    expect(body.push(Buffer.from('b'))).toBe(true);
    expect(events).toEqual(['a', 'b']);
  });

  it('pauses when the listener returns false and resumes the producer once drained', () => {
    const body = new Body({ highWaterMark: 2 });
    let drains = 0;
    body.onDrain = () => drains++;
    const { events, listener, refill } = recorder(1);
    const tap = body[LISTEN](listener);
    tap.resume();
    expect(body.push(Buffer.from('a'))).toBe(true); // taken, then paused
    expect(body.push(Buffer.from('b'))).toBe(true);
    expect(body.push(Buffer.from('c'))).toBe(false); // 2 bytes wait: the producer stops
    expect(events).toEqual(['a']);
    refill(Infinity);
    tap.resume();
    expect(events).toEqual(['a', 'b', 'c']);
    expect(drains).toBe(1);
  });

  it('ends after the chunks, in a microtask rather than inside end()', async () => {
    const body = new Body();
    const { events, listener } = recorder();
    body[LISTEN](listener).resume();
    body.push(Buffer.from('a'));
    body.end([['X-T', '1']]);
    expect(events).toEqual(['a']);
    await tick();
    expect(events).toEqual(['a', 'end']);
    expect(body.trailer.get('X-T')).toBe('1');
  });

  it('holds the end back while paused', async () => {
    const ended = new Body();
    const one = recorder(1);
    const tap = ended[LISTEN](one.listener);
    tap.resume();
    ended.push(Buffer.from('a'));
    ended.push(Buffer.from('b'));
    ended.end();
    await tick();
    expect(one.events).toEqual(['a']);
    one.refill(Infinity);
    tap.resume();
    expect(one.events).toEqual(['a', 'b', 'end']);
  });

  it('delivers a failure after the chunks once resumed', async () => {
    const body = new Body();
    body.push(Buffer.from('a'));
    const { events, listener } = recorder();
    const tap = body[LISTEN](listener);
    body.fail(new Error('cut'));
    tap.resume();
    await tick();
    expect(events).toEqual(['a', 'error: cut']);
  });

  it('drops what is buffered and what comes next once stopped, and lets the producer go on', async () => {
    const body = new Body({ highWaterMark: 1 });
    let drains = 0;
    body.onDrain = () => drains++;
    const { events, listener } = recorder(1);
    const tap = body[LISTEN](listener);
    tap.resume();
    body.push(Buffer.from('a'));
    expect(body.push(Buffer.from('b'))).toBe(false);
    tap.stop();
    expect(drains).toBe(1);
    expect(body.push(Buffer.from('c'))).toBe(true);
    body.end();
    tap.resume();
    await tick();
    expect(events).toEqual(['a']);
  });

  it('is not listenable, and claims nothing, for a body made from user data', async () => {
    const body = Body.from('user data');
    expect(new Body()[LISTENABLE]).toBe(true);
    expect(body[LISTENABLE]).toBe(false);
    expect(() => body[LISTEN](recorder().listener)).toThrow(TypeError);
    expect(await body.text()).toBe('user data');
  });

  it('refuses a second consumer', () => {
    const body = new Body();
    body[LISTEN](recorder().listener);
    expect(() => body[Symbol.asyncIterator]()).toThrow(
      expect.objectContaining({ code: 'ERR_BODY_CONSUMED' }),
    );
  });
});
