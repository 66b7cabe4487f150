import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, FORMAT, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { ThreadingByStage } from './types.js';

const SINGLE = 'Single-threaded (0–1 engaged contacts)';
const MULTI = 'Multi-threaded (2 or more)';

/** Open deals per stage split by how many customer contacts we actually engage: single threads late in the funnel are the risk. */
export function threadingChart(rows: ThreadingByStage[], options: ChartSize & { currency: string }): TopLevelSpec {
  const ordered = [...rows].sort((a, b) => a.stageIndex - b.stageIndex);
  const stages = ordered.map((r) => r.stage);
  const values = ordered.flatMap((r) => [
    {
      stage: r.stage,
      stageIndex: r.stageIndex,
      threading: SINGLE,
      order: 0,
      deals: r.singleThreaded,
      amountAtRisk: r.amountAtRisk,
    },
    {
      stage: r.stage,
      stageIndex: r.stageIndex,
      threading: MULTI,
      order: 1,
      deals: r.multiThreaded,
      amountAtRisk: null,
    },
  ]);
  const size = sizing(options, { width: 560, height: 280 });
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Stacked bar chart of open deals per CRM stage, split into single-threaded deals (one engaged customer contact or none) and multi-threaded deals.',
    title: chartTitle(
      'Single-threaded deals by stage',
      'Open deals; a deal is single-threaded when one customer contact or none has taken part in its activities.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 0 },
    encoding: {
      x: {
        field: 'stage',
        type: 'ordinal',
        sort: stages,
        title: 'CRM stage (funnel order)',
        axis: { labelAngle: size.width / Math.max(1, stages.length) < 96 ? -30 : 0 },
      },
      y: { field: 'deals', type: 'quantitative', title: 'Open deals (count)', stack: 'zero' },
      color: {
        field: 'threading',
        type: 'nominal',
        title: null,
        legend: { columns: 1 },
        scale: { domain: [SINGLE, MULTI], range: ['#c0504d', '#9fb7d9'] },
      },
      order: { field: 'order', type: 'quantitative' },
      tooltip: [
        { field: 'stage', type: 'nominal', title: 'Stage' },
        { field: 'threading', type: 'nominal', title: 'Threading' },
        { field: 'deals', type: 'quantitative', title: 'Open deals', format: ',' },
        {
          field: 'amountAtRisk',
          type: 'quantitative',
          title: `Amount of single-threaded deals (${options.currency})`,
          format: FORMAT.amount,
        },
      ],
    },
  };
}
