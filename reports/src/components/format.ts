/** Number and date formats for the page text (the charts use d3-format strings in chartStyle). */
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 0 });

/** 1.2M, 350K */
export const formatAmount = (value: number): string => compact.format(value);
/** 1,234,567 */
export const formatWhole = (value: number): string => whole.format(value);
/** 42% */
export const formatPercent = (value: number): string => percent.format(value);
/** 0.812 */
export const formatAuc = (value: number): string => value.toFixed(3);

/** "2026-06-30" -> "30 Jun 2026"; dates stay ISO strings in the JSON. */
export function formatDate(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return iso;
  const month = date.toLocaleDateString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${date.getUTCDate()} ${month} ${date.getUTCFullYear()}`;
}

/** 0.034 -> "+3 pts", -0.1 -> "−10 pts": a change of a probability, in percentage points. */
export function formatPoints(change: number): string {
  const points = Math.round(100 * change);
  return points === 0 ? '±0 pts' : `${points > 0 ? '+' : '−'}${Math.abs(points)} pts`;
}

/** "2026-07-01 01:00" -> "1 Jul 2026 01:00": the one date format, with the time where one is known. */
export function formatDateTime(value: string | null): string {
  if (!value) return '—';
  const time = /[T ](\d{2}:\d{2})/.exec(value)?.[1];
  return time ? `${formatDate(value)} ${time}` : formatDate(value);
}

/** +1.2M / −350K: a change of an amount. */
export function formatSignedAmount(value: number): string {
  const text = formatAmount(Math.abs(value));
  return text === '0' ? '±0' : `${value >= 0 ? '+' : '−'}${text}`;
}

/** 0.201 -> "20.1%": accuracy, error and bias figures keep one decimal. */
export function formatPercentPrecise(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : `${(100 * value).toFixed(1)}%`;
}
