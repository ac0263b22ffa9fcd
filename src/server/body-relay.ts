import { Body } from '../message/body.js';
import { type BodyTap, LISTEN } from '../message/body-listener.js';

/** RelayHooks: what relayBody tells the response writer. */
export interface RelayHooks {
  /** start commits the response with `out`, the body its connection writes; called once, at most. */
  start(out: Body): void;
  /** end: the source ended and every byte of it is in `out`. */
  end(): void;
  /** error: the source failed (a read error); `out`, if started, fails with it. */
  error(err: Error): void;
}

/**
 * relayBody moves `source`, a Body a connection fills, into the body a
 * response's connection writes, by callbacks: views of the received
 * chunks, no promise per chunk, back-pressure by pause/resume both ways.
 * With `hold` > 0 the first chunks are gathered until they pass `hold`
 * bytes or the source ends before `start` is called (a writer holds back
 * a small body's start: Go's bufferBeforeChunkingSize); with 0, `start`
 * runs at once, so the head goes out before any body byte. It returns the
 * function that abandons the source, for when the write failed. `source`
 * must be `[LISTENABLE]`.
 */
export function relayBody(source: Body, hold: number, hooks: RelayHooks): () => void {
  let out: Body | null = null;
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  let tap: BodyTap | null = null;
  /** open starts the response with what was held; false when its body asks to pause. */
  const open = (): boolean => {
    const body = (out = new Body());
    body.onDrain = () => tap?.resume();
    hooks.start(body);
    let ok = true;
    for (const chunk of held) ok = body.push(chunk);
    held = [];
    return ok;
  };
  const claimed = source[LISTEN]({
    data(chunk) {
      if (out !== null) return out.push(chunk);
      held.push(chunk);
      heldBytes += chunk.byteLength;
      return heldBytes <= hold || open();
    },
    end() {
      if (out === null) open();
      out!.end();
      hooks.end();
    },
    error(err) {
      out?.fail(err);
      hooks.error(err);
    },
  });
  tap = claimed;
  if (hold === 0) open();
  claimed.resume();
  return () => claimed.stop();
}
