import type { TopLevelSpec } from 'vega-lite';
import {
  AMOUNT_AXIS,
  BASE_CONFIG,
  chartTitle,
  FORMAT,
  MEASURES,
  OUTCOMES,
  sizing,
  VEGA_LITE_SCHEMA,
  type ChartSize,
} from './chartStyle.js';
import type { RangeForecast } from './types.js';

/**
 * Per period: the P10–P90 range of bookings (band), the median (dot), what is already won (bar) and
 * the CRM weighted pipeline (tick), so the range reads against the CRM's single number.
 */
export function rangeForecastChart(
  rows: RangeForecast[],
  options: ChartSize & { currency: string; title?: string },
): TopLevelSpec {
  const ordered = [...rows].sort((a, b) => a.periodStart.localeCompare(b.periodStart));
  // A closed period is what was booked: no range and no open pipeline to weigh.
  const labels = ordered.map((r) => r.label);
  const amount = `Bookings (${options.currency})`;
  const size = sizing(options, { width: 720, height: 320 });
  const labelAngle = size.width / Math.max(1, ordered.length) < 72 ? -40 : 0;
  const x = { field: 'label', type: 'ordinal', sort: labels, title: 'Period', axis: { labelAngle } } as const;
  const tooltip = [
    { field: 'label', type: 'nominal', title: 'Period' },
    { field: 'wonToDate', type: 'quantitative', title: `Already won (${options.currency})`, format: FORMAT.amount },
    { field: 'p10', type: 'quantitative', title: 'P10 (9 in 10 chance of more)', format: FORMAT.amount },
    { field: 'p50', type: 'quantitative', title: 'P50 (median)', format: FORMAT.amount },
    { field: 'p90', type: 'quantitative', title: 'P90 (1 in 10 chance of more)', format: FORMAT.amount },
    { field: 'crm', type: 'quantitative', title: 'CRM weighted pipeline incl. won', format: FORMAT.amount },
  ] as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: `Range chart of forecast bookings per period in ${options.currency}: a band from P10 to P90, a dot at the median P50, a bar for what is already won and a tick for the CRM weighted pipeline.`,
    title: chartTitle(
      options.title ?? 'Bookings forecast with its range',
      'Band: P10–P90 (8 in 10 outcomes fall inside); dot: median; green bar: already won (all of a closed period); orange tick: CRM weighted pipeline incl. won.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: {
      values: ordered.map((row) => ({
        ...row,
        base: 0,
        crm: row.closed ? null : row.wonToDate + row.weightedPipeline,
      })),
    },
    encoding: { x, tooltip: [...tooltip] },
    layer: [
      {
        mark: { type: 'bar', width: { band: 0.55 }, color: MEASURES.expected.color, opacity: 0.25 },
        encoding: { y: { field: 'p10', type: 'quantitative', title: amount, axis: AMOUNT_AXIS }, y2: { field: 'p90' } },
      },
      // A thick rule from zero rather than a second bar: it stays centred in the period's slot.
      {
        mark: { type: 'rule', strokeWidth: 14, color: OUTCOMES.won.color, opacity: 0.85 },
        encoding: { y: { field: 'base', type: 'quantitative' }, y2: { field: 'wonToDate' } },
      },
      {
        mark: { type: 'point', filled: true, size: 80, color: MEASURES.expected.color },
        encoding: { y: { field: 'p50', type: 'quantitative' } },
      },
      {
        mark: { type: 'tick', thickness: 3, color: MEASURES.weighted.color, size: 40 },
        encoding: { y: { field: 'crm', type: 'quantitative' } },
      },
    ],
  };
}
