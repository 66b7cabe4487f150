/**
 * Whether text is a real calendar date written YYYY-MM-DD. `Date.parse` alone accepts 2024-02-30
 * (it rolls over to March 1st), and DuckDB then fails on it with a conversion error.
 */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}
