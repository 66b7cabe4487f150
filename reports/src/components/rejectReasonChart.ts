import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { RejectReason } from './types.js';

/** Why rows were rejected: one bar per export, column and reason, most rows first (capped to the top 15). */
export function rejectReasonChart(reasons: RejectReason[], options: ChartSize & { limit?: number } = {}): TopLevelSpec {
  const top = [...reasons]
    .sort((a, b) => b.rows - a.rows || a.entity.localeCompare(b.entity))
    .slice(0, options.limit ?? 15);
  const values = top.map((r) => ({ ...r, label: `${r.entity.replaceAll('_', ' ')} · ${r.column}: ${r.reason}` }));
  const size = sizing(options, { width: 720, height: Math.max(2, top.length) * 26 }, 'fit-x');
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: `Horizontal bar chart of the ${top.length} most frequent reasons rows were rejected in the last load, by export and column, most rows first.`,
    title: chartTitle(
      'Why rows were rejected',
      `Top ${top.length} of ${reasons.length} reasons in the last load: export · column: reason.`,
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2, color: '#c0504d' },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: values.map((v) => v.label), title: null, axis: { labelLimit: 420 } },
      x: { field: 'rows', type: 'quantitative', title: 'Rows rejected (count)', axis: { tickMinStep: 1 } },
      tooltip: [
        { field: 'entity', type: 'nominal', title: 'Export' },
        { field: 'column', type: 'nominal', title: 'Column' },
        { field: 'reason', type: 'nominal', title: 'Reason' },
        { field: 'rows', type: 'quantitative', title: 'Rows rejected', format: ',' },
      ],
    },
  };
}
