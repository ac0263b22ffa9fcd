import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { onTestFinished } from 'vitest';

/** Published: one diagnostics-channel message, with its channel's name. */
export type Published = [name: string, message: Record<string, unknown>];

/** recordChannels subscribes to `names` until the running test ends and collects their messages in order. */
export function recordChannels(names: readonly string[]): Published[] {
  const seen: Published[] = [];
  for (const name of names) {
    const onMessage = (message: unknown) => seen.push([name, message as Record<string, unknown>]);
    subscribe(name, onMessage);
    onTestFinished(() => void unsubscribe(name, onMessage));
  }
  return seen;
}
