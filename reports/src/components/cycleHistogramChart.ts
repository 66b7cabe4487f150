import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, OUTCOMES, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { CycleBin } from './types.js';

/** Closed deals per 30-day band of cycle length, won next to lost: the shape behind the medians. */
export function cycleHistogramChart(bins: CycleBin[], options: ChartSize = {}): TopLevelSpec {
  const ordered = [...bins].sort((a, b) => a.fromDays - b.fromDays);
  const labels = [...new Set(ordered.map((bin) => bin.label))];
  const outcomes = [OUTCOMES.won.label, OUTCOMES.lost.label];
  const values = ordered.map((bin) => ({ ...bin, outcomeLabel: OUTCOMES[bin.outcome].label }));
  const size = sizing(options, { width: 720, height: 260 });
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Histogram of closed deals by sales-cycle length in 30-day bands, won and lost side by side; the last band holds every longer cycle.',
    title: chartTitle(
      'Distribution of cycle length, won vs lost',
      'Closed deals per 30-day band of days from creation to close; the last band holds everything longer.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      x: {
        field: 'label',
        type: 'ordinal',
        sort: labels,
        title: 'Cycle length (days)',
        axis: { labelAngle: size.width / Math.max(1, labels.length) < 56 ? -40 : 0 },
      },
      xOffset: { field: 'outcomeLabel', type: 'nominal', sort: outcomes },
      y: { field: 'deals', type: 'quantitative', title: 'Closed deals (count)' },
      color: {
        field: 'outcomeLabel',
        type: 'nominal',
        title: null,
        scale: { domain: outcomes, range: [OUTCOMES.won.color, OUTCOMES.lost.color] },
      },
      tooltip: [
        { field: 'label', type: 'ordinal', title: 'Cycle length (days)' },
        { field: 'outcomeLabel', type: 'nominal', title: 'Outcome' },
        { field: 'deals', type: 'quantitative', title: 'Closed deals', format: ',' },
      ],
    },
  };
}
