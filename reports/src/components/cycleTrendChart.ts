import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, OUTCOMES, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { CycleTrendPoint } from './types.js';

/** Median cycle length of the deals closed in each quarter, won and lost: are cycles getting longer? */
export function cycleTrendChart(points: CycleTrendPoint[], options: ChartSize = {}): TopLevelSpec {
  const ordered = [...points].sort((a, b) => a.quarter.localeCompare(b.quarter));
  const quarters = [...new Set(ordered.map((p) => p.label))];
  const outcomes = [OUTCOMES.won.label, OUTCOMES.lost.label];
  const values = ordered.map((p) => ({ ...p, outcomeLabel: OUTCOMES[p.outcome].label }));
  const size = sizing(options, { width: 720, height: 260 });
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Line chart of the median sales-cycle length in days of the deals closed in each quarter, one line for won and one for lost deals.',
    title: chartTitle(
      'Cycle length over time',
      'Median days from creation to close of the deals closed in each quarter. The first quarters hold only short cycles: the history starts there.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'line', strokeWidth: 2.5, point: { filled: true, size: 50 } },
    encoding: {
      x: {
        field: 'label',
        type: 'ordinal',
        sort: quarters,
        title: 'Quarter closed',
        axis: { labelAngle: size.width / Math.max(1, quarters.length) < 64 ? -40 : 0 },
      },
      y: { field: 'medianDays', type: 'quantitative', title: 'Median cycle length (days)' },
      color: {
        field: 'outcomeLabel',
        type: 'nominal',
        title: null,
        scale: { domain: outcomes, range: [OUTCOMES.won.color, OUTCOMES.lost.color] },
      },
      tooltip: [
        { field: 'label', type: 'ordinal', title: 'Quarter closed' },
        { field: 'outcomeLabel', type: 'nominal', title: 'Outcome' },
        { field: 'medianDays', type: 'quantitative', title: 'Median cycle (days)', format: ',.0f' },
        { field: 'deals', type: 'quantitative', title: 'Deals closed', format: ',' },
      ],
    },
  };
}
