import { describe, expect, it } from 'vitest';
import { LazyAbort, watchSignal } from '../../src/message/abort-watch.js';
import {
  Request,
  requestAbort,
  setRequestAbort,
  shareRequestAbort,
} from '../../src/message/request.js';

describe('LazyAbort', () => {
  it('calls its watchers once, in order, with the reason readable', () => {
    const abort = new LazyAbort();
    const calls: string[] = [];
    abort.watch(() => calls.push(`a:${String(abort.reason)}`));
    abort.watch(() => calls.push('b'));
    expect(abort.aborted).toBe(false);
    abort.abort('gone');
    abort.abort('again');
    expect(calls).toEqual(['a:gone', 'b']);
    expect(abort.aborted).toBe(true);
    expect(abort.reason).toBe('gone');
  });

  it('forgets an unwatched callback and ignores unknown ones', () => {
    const abort = new LazyAbort();
    let called = 0;
    const onAbort = () => called++;
    abort.watch(onAbort);
    abort.unwatch(onAbort);
    abort.unwatch(() => {});
    abort.abort(new Error('x'));
    expect(called).toBe(0);
  });

  it('makes one signal that follows the abort, before or after it happened', () => {
    const before = new LazyAbort();
    const signal = before.signal;
    expect(before.signal).toBe(signal);
    let heard: unknown;
    signal.addEventListener('abort', () => (heard = signal.reason));
    before.abort('why');
    expect(heard).toBe('why');

    const after = new LazyAbort();
    after.abort('late');
    expect(after.signal.aborted).toBe(true);
    expect(after.signal.reason).toBe('late');
  });
});

describe('watchSignal', () => {
  it('adapts an AbortSignal', () => {
    const controller = new AbortController();
    const watch = watchSignal(controller.signal);
    let called = 0;
    const onAbort = () => called++;
    watch.watch(onAbort);
    const dropped = () => (called += 10);
    watch.watch(dropped);
    watch.unwatch(dropped);
    controller.abort('r');
    expect(called).toBe(1);
    expect(watch.aborted).toBe(true);
    expect(watch.reason).toBe('r');
  });
});

describe('Request signal', () => {
  it('is null until set, and an AbortSignal set by the user is kept', () => {
    const req = new Request('GET', 'http://example.test/');
    expect(req.signal).toBeNull();
    expect(requestAbort(req)).toBeUndefined();
    const controller = new AbortController();
    req.signal = controller.signal;
    expect(req.signal).toBe(controller.signal);
    controller.abort('u');
    expect(requestAbort(req)?.reason).toBe('u');
  });

  it('follows a server abort, which a copy shares without making a signal', () => {
    const req = new Request('GET', 'http://example.test/');
    const abort = new LazyAbort();
    setRequestAbort(req, abort);
    const copy = new Request('GET', 'http://example.test/');
    shareRequestAbort(req, copy);
    expect(requestAbort(copy)).toBe(abort);
    abort.abort('client gone');
    expect(copy.signal?.aborted).toBe(true);
    expect(req.signal).toBe(copy.signal);
  });
});
