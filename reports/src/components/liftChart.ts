import type { TopLevelSpec } from 'vega-lite';
import {
  BASE_CONFIG,
  chartTitle,
  FORMAT,
  MODELS,
  modelsIn,
  REFERENCE_COLOR,
  sizing,
  VEGA_LITE_SCHEMA,
  type ChartSize,
} from './chartStyle.js';
import type { LiftPoint } from './types.js';

/** Lift by decile on the holdout: how many times the average win rate the best-scored 10%, 20%, ... of deals reach. */
export function liftChart(points: LiftPoint[], options: ChartSize & { derived?: boolean } = {}): TopLevelSpec {
  const models = modelsIn(points);
  const labels = models.map((model) => MODELS[model].label);
  const values = [...points].sort((a, b) => a.depth - b.depth).map((p) => ({ ...p, series: MODELS[p.model].label }));
  const size = sizing(options, { width: 460, height: 320 });
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Lift chart on the holdout deals: for the best-scored 10%, 20%, up to 100% of deals, their win rate divided by the overall win rate, for the Wuwei model and for the CRM stage probability. ' +
      'A lift of 2 means twice the average win rate.',
    title: chartTitle(
      'Lift: how well the top of the list wins',
      `Win rate of the best-scored share of holdout deals over the average win rate${options.derived ? ' (derived from the ROC curve and the holdout win rate)' : ''}. Higher on the left is better.`,
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    layer: [
      {
        data: { values: [{ y: 1 }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: REFERENCE_COLOR },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 2.5, point: { filled: true, size: 45 } },
        encoding: {
          x: {
            field: 'depth',
            type: 'quantitative',
            title: 'Best-scored share of holdout deals (%)',
            scale: { domain: [0, 1] },
            axis: { format: FORMAT.percent },
          },
          y: { field: 'lift', type: 'quantitative', title: 'Lift (× average win rate)', scale: { zero: true } },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: labels, range: models.map((m) => MODELS[m].color) },
            legend: {
              orient: 'top-right',
              direction: 'vertical',
              columns: 1,
              fillColor: 'rgba(255,255,255,0.85)',
              padding: 6,
            },
          },
          tooltip: [
            { field: 'series', type: 'nominal', title: 'Score' },
            { field: 'depth', type: 'quantitative', title: 'Top share of deals', format: FORMAT.percent },
            { field: 'lift', type: 'quantitative', title: 'Lift (× average)', format: '.2f' },
          ],
        },
      },
    ],
  };
}
