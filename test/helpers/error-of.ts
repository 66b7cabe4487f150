import { WuweiError } from '../../pipeline/base/errors.ts';

/** The WuweiError that `work` throws (anything else is rethrown; no error fails the test). */
export function errorOf(work: () => unknown): WuweiError {
  try {
    work();
  } catch (error) {
    if (error instanceof WuweiError) return error;
    throw error;
  }
  throw new Error('expected a WuweiError');
}
