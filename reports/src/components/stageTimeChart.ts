import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, MEASURES, OUTCOMES, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { StageTime } from './types.js';

/**
 * Per open stage: how long the deals now in it have sat there (bar, median) against how long won
 * deals spent in it (tick median, whisker to the 75th percentile). A bar past the whisker is a stall.
 */
export function stageTimeChart(stages: StageTime[], options: ChartSize = {}): TopLevelSpec {
  const ordered = [...stages].sort((a, b) => a.stageIndex - b.stageIndex);
  const order = ordered.map((s) => s.stage);
  const open = 'Open deals now (median days in stage so far)';
  const won = 'Won deals (median, line to 75th percentile)';
  const values = ordered.map((s) => ({ ...s, openLabel: open, wonLabel: won }));
  const tooltip = [
    { field: 'stage', type: 'nominal', title: 'Stage' },
    { field: 'openDeals', type: 'quantitative', title: 'Open deals in stage', format: ',' },
    { field: 'openMedianDays', type: 'quantitative', title: 'Open deals: median days so far', format: ',.0f' },
    { field: 'wonMedianDays', type: 'quantitative', title: 'Won deals: median days', format: ',.0f' },
    { field: 'wonP75Days', type: 'quantitative', title: 'Won deals: 75th percentile (days)', format: ',.0f' },
    { field: 'openOverNorm', type: 'quantitative', title: 'Open deals past the 75th percentile', format: ',' },
  ] as const;
  const size = sizing(options, { width: 720, height: 300 });
  const slot = size.width / Math.max(1, order.length);
  const x = {
    field: 'stage',
    type: 'ordinal',
    sort: order,
    title: 'CRM stage (funnel order)',
    axis: { labelAngle: slot < 96 ? -30 : 0 },
  } as const;
  const color = {
    type: 'nominal',
    title: null,
    scale: { domain: [open, won], range: [MEASURES.expected.color, OUTCOMES.won.color] },
  } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Bar chart per open stage: bars show the median days the open deals in that stage have spent in it so far; ' +
      'ticks show the median days won deals spent in the same stage, with a line up to the 75th percentile.',
    title: chartTitle(
      'Time in each stage against won-deal norms',
      'Open deals sitting well past the won deals\u2019 line are stalling.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    encoding: { x, tooltip: [...tooltip] },
    layer: [
      {
        mark: { type: 'bar', width: { band: 0.55 }, cornerRadiusEnd: 2 },
        encoding: {
          y: { field: 'openMedianDays', type: 'quantitative', title: 'Time in stage (days)' },
          color: { ...color, field: 'openLabel' },
        },
      },
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          y: { field: 'wonMedianDays', type: 'quantitative' },
          y2: { field: 'wonP75Days' },
          color: { ...color, field: 'wonLabel' },
        },
      },
      {
        mark: { type: 'tick', thickness: 3, size: Math.max(12, Math.min(70, Math.round(0.6 * slot))) },
        encoding: { y: { field: 'wonMedianDays', type: 'quantitative' }, color: { ...color, field: 'wonLabel' } },
      },
    ],
  };
}
