/** The one calendar-date check behind --as-of, as_of.txt, `features --as-of` and config dates (issue 16: 2024-02-30 passed all three). */
import { describe, expect, it } from 'vitest';
import { isIsoDate as isCalendarDate } from '../../pipeline/base/dates.ts';
import { parseConfig } from '../../pipeline/config/config.ts';

describe('calendar dates', () => {
  it('accepts real dates, leap days included, and nothing else', () => {
    expect(['2024-02-29', '2026-12-31', '0001-01-01'].map(isCalendarDate)).toEqual([true, true, true]);
    expect(
      ['2024-02-30', '2026-02-29', '2026-04-31', '2026-13-01', '2026-1-01', '20260101', ''].map(isCalendarDate),
    ).toEqual(Array(7).fill(false));
    // What the checks used before: Date.parse rolls 2024-02-30 over to March 1st.
    expect(Number.isNaN(Date.parse('2024-02-30T00:00:00Z'))).toBe(false);
  });

  it('refuses a config date that is no calendar date, naming the key', () => {
    expect(() => parseConfig({ load: { earliestDate: '1990-02-30' } }, 'wuwei.config.yaml')).toThrow(
      /load\.earliestDate: expected a date YYYY-MM-DD/,
    );
  });
});
