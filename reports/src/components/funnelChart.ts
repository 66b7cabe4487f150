import type { TopLevelSpec } from 'vega-lite';
import {
  BASE_CONFIG,
  chartTitle,
  FORMAT,
  OUTCOMES,
  sizing,
  stageColors,
  VEGA_LITE_SCHEMA,
  type ChartSize,
} from './chartStyle.js';
import type { FunnelStep } from './types.js';

/** Share of closed deals that reached each stage, in funnel order, with the step-to-step conversion written beside each bar. */
export function funnelChart(steps: FunnelStep[], options: ChartSize = {}): TopLevelSpec {
  const ordered = [...steps].sort((a, b) => a.stageIndex - b.stageIndex);
  const order = ordered.map((s) => s.stage);
  const values = ordered.map((s) => ({
    ...s,
    text:
      s.conversion === null
        ? `${(100 * s.share).toFixed(0)}%`
        : `${(100 * s.share).toFixed(0)}%  (${(100 * s.conversion).toFixed(0)}% of previous)`,
  }));
  const colors = [...stageColors(order.length - 1), OUTCOMES.won.color];
  const size = sizing(options, { width: 720, height: Math.max(2, order.length) * 30 }, 'fit-x');
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Funnel as horizontal bars: the share of all closed deals that reached each stage, in stage order, ending with the share won; labels give the conversion from the previous step.',
    title: chartTitle(
      'Stage conversion funnel',
      'Closed deals only (open ones have not had their chance yet). Bar: share of closed deals that reached the stage; in brackets: conversion from the step before.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    encoding: {
      y: { field: 'stage', type: 'ordinal', sort: order, title: null },
      tooltip: [
        { field: 'stage', type: 'nominal', title: 'Stage' },
        { field: 'deals', type: 'quantitative', title: 'Closed deals that reached it', format: ',' },
        { field: 'share', type: 'quantitative', title: 'Share of closed deals', format: FORMAT.percentPrecise },
        {
          field: 'conversion',
          type: 'quantitative',
          title: 'Conversion from previous step',
          format: FORMAT.percentPrecise,
        },
      ],
    },
    // Room right of the 100% bar for its label: the axis stops at 100%.
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 2 },
        encoding: {
          x: {
            field: 'share',
            type: 'quantitative',
            title: 'Share of closed deals that reached the stage (%)',
            scale: { domain: [0, 1.45] },
            axis: { format: FORMAT.percent, values: [0, 0.25, 0.5, 0.75, 1] },
          },
          color: {
            field: 'stage',
            type: 'ordinal',
            sort: order,
            scale: { domain: order, range: colors },
            legend: null,
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, color: '#3b414b' },
        encoding: { x: { field: 'share', type: 'quantitative' }, text: { field: 'text', type: 'nominal' } },
      },
    ],
  };
}
