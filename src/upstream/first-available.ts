import type { Picker } from './policy.js';
import type { Target } from './target.js';

/**
 * FirstAvailable takes the first available target in the order they were
 * added: an active/standby pair, where the later targets only take
 * traffic while the earlier ones are down.
 */
export class FirstAvailable implements Picker {
  pick(candidates: readonly Target[]): Target {
    return candidates[0]!;
  }
}
