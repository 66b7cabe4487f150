import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, FORMAT, MODELS, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';

/** One deal's Wuwei win probability on every night it was scored, against its current CRM stage probability. */
export function scoreHistoryChart(
  nights: string[],
  probabilities: (number | null)[],
  options: ChartSize & { deal: string; stageProbability: number },
): TopLevelSpec {
  const values = nights.flatMap((night, i) =>
    probabilities[i] === null || probabilities[i] === undefined ? [] : [{ night, probability: probabilities[i] }],
  );
  const scored = values.length;
  const size = sizing(options, { width: 560, height: 220 });
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: `Line chart of the Wuwei win probability of deal ${options.deal} on each night it was scored (${scored} nights), with a dashed line at the probability the CRM gives its current stage.`,
    title: chartTitle(
      `Win probability of ${options.deal} over time`,
      `Each night's Wuwei score (${scored} night${scored === 1 ? '' : 's'} so far); dashed: the CRM probability of its current stage.`,
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    layer: [
      {
        data: { values },
        mark: {
          type: 'line',
          strokeWidth: 2.5,
          color: MODELS.wuwei.color,
          point: { filled: true, size: 45, color: MODELS.wuwei.color },
        },
        encoding: {
          x: {
            field: 'night',
            type: 'temporal',
            title: 'Night scored (date)',
            axis: {
              format: '%-d %b',
              labelAngle: 0,
              tickCount: { interval: 'day', step: Math.max(1, Math.ceil(nights.length / 8)) },
            },
          },
          y: {
            field: 'probability',
            type: 'quantitative',
            title: 'Win probability (%)',
            scale: { domain: [0, 1] },
            axis: { format: FORMAT.percent },
          },
          tooltip: [
            { field: 'night', type: 'temporal', title: 'Night', format: '%-d %b %Y' },
            {
              field: 'probability',
              type: 'quantitative',
              title: 'Wuwei win probability',
              format: FORMAT.percentPrecise,
            },
          ],
        },
      },
      {
        data: { values: [{ probability: options.stageProbability }] },
        mark: { type: 'rule', strokeDash: [5, 4], color: MODELS.stage_baseline.color, strokeWidth: 2 },
        encoding: { y: { field: 'probability', type: 'quantitative' } },
      },
    ],
  };
}
