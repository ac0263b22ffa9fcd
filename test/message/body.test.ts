import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Body } from '../../src/message/body.js';
import { bodySource } from '../../src/message/body-source.js';

const enc = (s: string) => new TextEncoder().encode(s);

async function collect(iterable: AsyncIterable<Uint8Array>): Promise<string> {
  let out = '';
  for await (const chunk of iterable) out += Buffer.from(chunk).toString('latin1');
  return out;
}

describe('Body', () => {
  it('delivers pushed chunks in order, then trailers once it has ended', async () => {
    const body = new Body();
    body.push(enc('he'));
    const text = body.text();
    body.push(enc('llo'));
    body.end([['X-Sum', '5']]);
    expect(await text).toBe('hello');
    expect(body.trailer.get('x-sum')).toBe('5');
  });

  it('reads JSON and bytes', async () => {
    const json = new Body();
    json.push(enc('{"ok":'));
    json.push(enc('true}'));
    json.end();
    expect(await json.json()).toEqual({ ok: true });
    const bytes = new Body();
    bytes.push(new Uint8Array([1, 2]));
    bytes.push(new Uint8Array([3]));
    bytes.end();
    expect([...(await bytes.bytes())]).toEqual([1, 2, 3]);
  });

  it('rejects with the producer error after the chunks before it, never ending cleanly', async () => {
    const body = new Body();
    const boom = new Error('connection reset');
    body.push(enc('partial'));
    body.fail(boom);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of body) seen.push(Buffer.from(chunk).toString());
      })(),
    ).rejects.toBe(boom);
    expect(seen).toEqual(['partial']);
  });

  it('rejects a waiting reader when the producer fails', async () => {
    const body = new Body();
    const text = body.text();
    const boom = new Error('eof in body');
    body.fail(boom);
    await expect(text).rejects.toBe(boom);
  });

  it('refuses a second consumer with a clear error', async () => {
    const body = Body.from('x');
    await body.text();
    await expect(body.text()).rejects.toMatchObject({ code: 'ERR_BODY_CONSUMED' });
    expect(() => body[Symbol.asyncIterator]()).toThrow(/already consumed/);
    expect(body.consumed).toBe(true);
  });

  it('asks the producer to pause past the high-water mark and calls onDrain once emptied', async () => {
    const body = new Body({ highWaterMark: 10 });
    let drains = 0;
    body.onDrain = () => drains++;
    expect(body.push(new Uint8Array(6))).toBe(true);
    expect(body.push(new Uint8Array(6))).toBe(false);
    const it = body[Symbol.asyncIterator]();
    await it.next();
    expect(drains).toBe(0);
    await it.next();
    expect(drains).toBe(1);
    expect(body.push(new Uint8Array(4))).toBe(true);
  });

  it('hands a chunk straight to a waiting consumer without buffering', async () => {
    const body = new Body({ highWaterMark: 1 });
    const it = body[Symbol.asyncIterator]();
    const next = it.next();
    expect(body.push(new Uint8Array(100))).toBe(true);
    expect((await next).value).toHaveLength(100);
  });

  it('drops the rest when the consumer leaves early, letting the producer go on', async () => {
    const body = new Body({ highWaterMark: 4 });
    let drains = 0;
    body.onDrain = () => drains++;
    body.push(enc('ab'));
    body.push(enc('cdef'));
    for await (const chunk of body) {
      expect(Buffer.from(chunk).toString()).toBe('ab');
      break;
    }
    expect(drains).toBe(1);
    expect(body.push(enc('more'))).toBe(true);
    body.end();
  });

  it('dumps: discards everything and resolves at the end', async () => {
    const body = new Body();
    body.push(enc('abc'));
    const dumped = body.dump();
    body.push(enc('def'));
    body.end();
    await dumped;
    await expect(body.text()).rejects.toMatchObject({ code: 'ERR_BODY_CONSUMED' });
  });

  it('rejects a dump when the body fails', async () => {
    const body = new Body();
    const dumped = body.dump();
    const boom = new Error('truncated');
    body.fail(boom);
    await expect(dumped).rejects.toBe(boom);
  });

  it('lets the connection discard a body being read: the reader gets the reason', async () => {
    const body = new Body();
    body.push(enc('abc'));
    const it = body[Symbol.asyncIterator]();
    const reason = new Error('body closed');
    body.discard(reason);
    expect(body.push(enc('x'))).toBe(true);
    body.end();
    await expect(it.next()).rejects.toBe(reason);
  });

  it('ignores end and fail once settled, and refuses a push after the end', () => {
    const body = new Body();
    body.end();
    body.fail(new Error('late'));
    expect(() => body.push(enc('x'))).toThrowError(
      expect.objectContaining({ code: 'ERR_BODY_ENDED' }),
    );
  });

  it('has an empty variant and knows lengths it can know', async () => {
    const empty = Body.empty();
    expect(empty.length).toBe(0);
    expect(await empty.text()).toBe('');
    expect(Body.from('héllo').length).toBe(6);
    expect(Body.from(new Uint8Array(4)).length).toBe(4);
    expect(Body.from(Readable.from([enc('a')])).length).toBe(-1);
    expect(new Body().length).toBe(-1);
    const same = new Body();
    expect(Body.from(same)).toBe(same);
  });

  it('reads a Readable and an async generator given by the user', async () => {
    expect(await Body.from(Readable.from([enc('a'), enc('b')])).text()).toBe('ab');
    async function* gen() {
      yield enc('x');
      yield enc('y');
    }
    expect(await Body.from(gen()).text()).toBe('xy');
  });
});

describe('bodySource', () => {
  it('turns strings into UTF-8 bytes of known length', async () => {
    const source = bodySource('€')!;
    expect(source.length).toBe(3);
    expect([...source.bytes!]).toEqual([0xe2, 0x82, 0xac]);
    expect(await collect(source.chunks())).toHaveLength(3);
  });

  it('gives null for no body', () => {
    expect(bodySource(null)).toBeNull();
    expect(bodySource(undefined)).toBeNull();
  });

  it('reads a Readable with an encoding as UTF-8 bytes', async () => {
    const readable = Readable.from(['é']);
    const source = bodySource(readable)!;
    expect(source.length).toBe(-1);
    const bytes: number[] = [];
    for await (const chunk of source.chunks()) bytes.push(...chunk);
    expect(bytes).toEqual([0xc3, 0xa9]);
  });

  it('fails the iteration on a chunk that is not bytes', async () => {
    async function* bad() {
      yield 42 as unknown as Uint8Array;
    }
    await expect(collect(bodySource(bad())!.chunks())).rejects.toThrow(TypeError);
  });

  it('refuses a value that is no body at all', () => {
    expect(() => bodySource(42 as unknown as string)).toThrow(TypeError);
  });
});
