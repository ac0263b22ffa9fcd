import { ERROR } from './constants.js';

const NAMES: string[] = [];
for (const [name, code] of Object.entries(ERROR)) NAMES[code] = `HPE_${name}`;

/** errorName: llhttp's name for an ERROR number, e.g. 6 → `HPE_INVALID_METHOD`. */
export function errorName(code: number): string {
  return NAMES[code] ?? 'HPE_INTERNAL';
}
