import type { TopLevelSpec } from 'vega-lite';
import { AMOUNT_AXIS, BASE_CONFIG, chartTitle, FORMAT, MEASURES, sizing, VEGA_LITE_SCHEMA, type ChartSize, type MeasureKey } from './chartStyle.js';
import type { ForecastBucket } from './types.js';

export interface ForecastChartOptions extends ChartSize {
  currency: string;
  /** Which measures to show side by side, in this order. */
  measures?: MeasureKey[];
  title?: string;
  subtitle?: string;
}

/**
 * Grouped bars per month of the rep's expected close date: Wuwei expected bookings next to the CRM's
 * weighted pipeline (and, if asked, the unweighted pipeline), so the two forecasts read side by side.
 */
export function forecastChart(buckets: ForecastBucket[], options: ForecastChartOptions): TopLevelSpec {
  const measures = options.measures ?? ['expected', 'weighted', 'unweighted'];
  const ordered = [...buckets].sort((a, b) => a.monthIndex - b.monthIndex);
  const seriesLabels = measures.map((key) => MEASURES[key].label);
  // Long format built here rather than with a fold transform: the spec stays readable and the data small.
  const values = ordered.flatMap((bucket) =>
    measures.map((key) => ({
      month: bucket.label,
      series: MEASURES[key].label,
      amount: bucket[key],
      deals: bucket.deals,
    })),
  );
  const amountTitle = `Amount (${options.currency})`;
  const size = sizing(options, { width: 720, height: 320 });
  // Month labels turn when the slot per month gets narrower than "Sep 2026".
  const labelAngle = size.width / Math.max(1, ordered.length) < 72 ? -40 : 0;
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      `Grouped bar chart by month of the rep's expected close date comparing ${seriesLabels.join(', ')}. ` +
      `Wuwei expected bookings sum each open deal's amount times its modelled win probability; the weighted pipeline uses the CRM stage probability instead.`,
    title: chartTitle(
      options.title ?? 'Expected bookings by expected close month',
      options.subtitle ?? `Open deals as of the run date, ${options.currency}. Months follow the close date the rep entered.`,
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      x: {
        field: 'month',
        type: 'ordinal',
        sort: ordered.map((bucket) => bucket.label),
        title: "Expected close month (rep's date)",
        axis: { labelAngle },
      },
      xOffset: { field: 'series', type: 'nominal', sort: seriesLabels },
      y: {
        field: 'amount',
        type: 'quantitative',
        title: amountTitle,
        axis: AMOUNT_AXIS,
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        sort: seriesLabels,
        scale: { domain: seriesLabels, range: measures.map((key) => MEASURES[key].color) },
      },
      tooltip: [
        { field: 'month', type: 'ordinal', title: 'Expected close month' },
        { field: 'series', type: 'nominal', title: 'Measure' },
        { field: 'amount', type: 'quantitative', title: amountTitle, format: FORMAT.amount },
        { field: 'deals', type: 'quantitative', title: 'Open deals in month' },
      ],
    },
  };
}
