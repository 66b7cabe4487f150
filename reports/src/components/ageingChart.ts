import type { TopLevelSpec } from 'vega-lite';
import {
  AMOUNT_AXIS,
  BASE_CONFIG,
  chartTitle,
  FORMAT,
  sizing,
  stageColors,
  VEGA_LITE_SCHEMA,
  type ChartSize,
} from './chartStyle.js';
import type { AgeingCell } from './types.js';

export interface AgeingChartOptions extends ChartSize {
  currency: string;
}

/** Open pipeline amount by deal age (days since creation), stacked by stage: old early-stage money is the doubtful part. */
export function ageingChart(cells: AgeingCell[], options: AgeingChartOptions): TopLevelSpec {
  const ages = [
    ...new Map([...cells].sort((a, b) => a.ageOrder - b.ageOrder).map((c) => [c.ageBucket, c.ageOrder])).keys(),
  ];
  const stages = [
    ...new Map([...cells].sort((a, b) => a.stageIndex - b.stageIndex).map((c) => [c.stage, c.stageIndex])).keys(),
  ];
  const amountTitle = `Open amount (${options.currency})`;
  const size = sizing(options, { width: 720, height: 280 });
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: `Stacked bar chart of the open pipeline amount in ${options.currency} by the age of the deal in days since it was created, split by CRM stage.`,
    title: chartTitle(
      'Ageing of open deals',
      `Open amount by days since the deal was created, ${options.currency}, stacked by stage (darker = later stage).`,
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values: cells },
    mark: { type: 'bar', cornerRadiusEnd: 0 },
    encoding: {
      x: {
        field: 'ageBucket',
        type: 'ordinal',
        sort: ages,
        title: 'Deal age (days since created)',
        axis: { labelAngle: size.width / Math.max(1, ages.length) < 96 ? -30 : 0 },
      },
      y: { field: 'amount', type: 'quantitative', title: amountTitle, stack: 'zero', axis: AMOUNT_AXIS },
      color: {
        field: 'stage',
        type: 'ordinal',
        title: 'Stage',
        sort: stages,
        scale: { domain: stages, range: stageColors(stages.length) },
      },
      order: { field: 'stageIndex', type: 'quantitative' },
      tooltip: [
        { field: 'ageBucket', type: 'ordinal', title: 'Deal age' },
        { field: 'stage', type: 'nominal', title: 'Stage' },
        { field: 'deals', type: 'quantitative', title: 'Open deals', format: ',' },
        { field: 'amount', type: 'quantitative', title: amountTitle, format: FORMAT.amount },
      ],
    },
  };
}
