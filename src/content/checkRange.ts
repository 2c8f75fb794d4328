import type { ReadRange } from './types';

/** Throws RangeError unless offset and length are non-negative integers (when given). */
export function checkRange(range: ReadRange): void {
  for (const key of ['offset', 'length'] as const) {
    const v = range[key];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) {
      throw new RangeError(`read ${key} must be a non-negative integer, got ${v}`);
    }
  }
}
