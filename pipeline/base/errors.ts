/**
 * The one error class for problems a user can fix (bad input, bad option, missing data).
 * The CLI catches it once and prints its message without a stack trace.
 */
export type WuweiErrorCode =
  | 'bad_option'
  | 'bad_input'
  | 'missing_input'
  | 'not_enough_data'
  | 'no_model'
  | 'report_failed'
  /** A data test on the feature models (pipeline/features/sql/tests.yaml) failed on the real data. */
  | 'data_test_failed'
  | 'locked'
  /** The machine refused a write: full disk, read-only or immutable folder (see system-errors.ts). */
  | 'cannot_write';

export class WuweiError extends Error {
  readonly code: WuweiErrorCode;

  constructor(code: WuweiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WuweiError';
    this.code = code;
  }
}
