/** Number and date formats for the page text (the charts use d3-format strings in chartStyle). */
import type { ForecastBucket } from './types.js';

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

/** "12% higher" / "8% lower": how far Wuwei's number is from the CRM's. */
export function formatChange(value: number, reference: number): string {
  if (!reference) return 'no CRM figure to compare';
  const change = value / reference - 1;
  if (Math.abs(change) < 0.005) return 'the same';
  return `${percent.format(Math.abs(change))} ${change > 0 ? 'higher' : 'lower'}`;
}

/** The line under a month's expected bookings; a run at month end often has no deal left in the month. */
export function describeMonth(bucket: ForecastBucket): string {
  if (bucket.deals === 0) return `No open deal has its expected close date in ${bucket.label}.`;
  const deals = `${formatWhole(bucket.deals)} deal${bucket.deals === 1 ? '' : 's'}`;
  return `CRM weighted pipeline ${formatAmount(bucket.weighted)} (Wuwei ${formatChange(bucket.expected, bucket.weighted)}) · ${deals}`;
}

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
