import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, FORMAT, MEASURES, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { StageSummary } from './types.js';

/**
 * Per stage, the mean Wuwei win probability of the open deals (bars) against the probability the
 * CRM assigns to that stage (ticks): where the two part, the model sees something the stage does not.
 */
export function stageChart(stages: StageSummary[], options: ChartSize = {}): TopLevelSpec {
  const ordered = [...stages].sort((a, b) => a.stageProbability - b.stageProbability || a.stage.localeCompare(b.stage));
  const order = ordered.map((stage) => stage.stage);
  const wuwei = MEASURES.expected;
  const crm = { label: 'CRM stage probability', color: MEASURES.weighted.color };
  const values = ordered.flatMap((stage) => [
    {
      stage: stage.stage,
      series: 'Mean Wuwei win probability',
      probability: stage.meanWinProbability,
      deals: stage.deals,
    },
    { stage: stage.stage, series: crm.label, probability: stage.stageProbability, deals: stage.deals },
  ]);
  const tooltip = [
    { field: 'stage', type: 'nominal', title: 'Stage' },
    { field: 'series', type: 'nominal', title: 'Measure' },
    { field: 'probability', type: 'quantitative', title: 'Win probability', format: FORMAT.percentPrecise },
    { field: 'deals', type: 'quantitative', title: 'Open deals in stage' },
  ] satisfies { field: string; type: 'nominal' | 'quantitative'; title: string; format?: string }[];
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: ['Mean Wuwei win probability', crm.label], range: [wuwei.color, crm.color] },
  } as const;
  const size = sizing(options, { width: 560, height: 300 });
  // A tick has a size in pixels, not in bands: about the bar width, from the chart width per stage.
  const slot = size.width / Math.max(1, order.length);
  const tickSize = Math.max(12, Math.min(80, Math.round(0.6 * slot)));
  // Stage names turn when the slot per stage gets narrower than "Qualification".
  const labelAngle = slot < 96 ? -30 : 0;
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Bar chart by CRM stage: bars show the mean Wuwei win probability of the open deals in the stage, ticks show the fixed probability the CRM gives that stage.',
    title: chartTitle(
      'Wuwei win probability vs the CRM stage probability',
      'Open deals, mean per stage. A bar short of its tick: the model rates those deals below their stage.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    encoding: {
      x: { field: 'stage', type: 'ordinal', sort: order, title: 'CRM stage (open deals)', axis: { labelAngle } },
      y: {
        field: 'probability',
        type: 'quantitative',
        title: 'Win probability (%)',
        scale: { domain: [0, 1] },
        axis: { format: FORMAT.percent },
      },
      color,
      tooltip,
    },
    layer: [
      {
        transform: [{ filter: `datum.series !== '${crm.label}'` }],
        mark: { type: 'bar', width: { band: 0.6 }, cornerRadiusEnd: 2 },
      },
      {
        transform: [{ filter: `datum.series === '${crm.label}'` }],
        mark: { type: 'tick', thickness: 3, size: tickSize },
      },
    ],
  };
}
