import type { TopLevelSpec } from 'vega-lite';
import {
  BASE_CONFIG,
  chartTitle,
  diagonalLayer,
  FORMAT,
  MODELS,
  modelsIn,
  REFERENCE_COLOR,
  sizing,
  VEGA_LITE_SCHEMA,
  type ChartSize,
} from './chartStyle.js';
import type { CurvePoint } from './types.js';

/**
 * Calibration on the holdout deals: for each bin of predicted probability, the share of deals that
 * were actually won. A calibrated score lies on the diagonal; dots are sized by the deals in the bin.
 */
export function calibrationChart(points: CurvePoint[], options: ChartSize = {}): TopLevelSpec {
  const models = modelsIn(points);
  const seriesLabels = models.map((model) => MODELS[model].label);
  const values = points
    .filter((point) => models.includes(point.model))
    .map((point) => ({ series: MODELS[point.model].label, predicted: point.x, observed: point.y, n: point.n }))
    .sort((a, b) => a.predicted - b.predicted);
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: seriesLabels, range: models.map((model) => MODELS[model].color) },
    // Calibrated points hug the diagonal, so the top-left corner is free for the legend.
    legend: { orient: 'top-left', direction: 'vertical', columns: 1, fillColor: 'rgba(255,255,255,0.85)', padding: 6 },
  } as const;
  const size = sizing(options, { width: 460, height: 400 });
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Calibration chart on the holdout deals: mean predicted win probability per bin against the observed win rate of the deals in that bin, ' +
      'for the Wuwei model and the CRM stage probability. Points on the dashed diagonal mean a stated 30% wins 30% of the time.',
    title: chartTitle(
      'Do the probabilities mean what they say? (calibration)',
      'Holdout deals grouped by predicted probability; dot size is the number of deals. On the diagonal, a stated 30% wins 30% of the time.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    layer: [
      diagonalLayer('predicted', 'observed'),
      {
        // Bottom right (said 90%, won 10%) stays empty for any usable score: room for the key to the diagonal.
        data: { values: [{ predicted: 0.98, observed: 0.03, text: 'dashed: perfectly calibrated' }] },
        mark: { type: 'text', color: REFERENCE_COLOR, align: 'right', baseline: 'bottom', fontSize: 11 },
        encoding: {
          x: { field: 'predicted', type: 'quantitative' },
          y: { field: 'observed', type: 'quantitative' },
          text: { field: 'text', type: 'nominal' },
        },
      },
      {
        data: { values },
        layer: [
          {
            mark: { type: 'line', strokeWidth: 2 },
            encoding: { color, order: { field: 'predicted', type: 'quantitative' } },
          },
          {
            mark: { type: 'point', filled: true, opacity: 0.9 },
            encoding: {
              color,
              size: {
                field: 'n',
                type: 'quantitative',
                title: 'Deals in bin',
                scale: { range: [20, 260] },
                legend: null,
              },
              tooltip: [
                { field: 'series', type: 'nominal', title: 'Score' },
                {
                  field: 'predicted',
                  type: 'quantitative',
                  title: 'Mean predicted win probability',
                  format: FORMAT.percentPrecise,
                },
                { field: 'observed', type: 'quantitative', title: 'Observed win rate', format: FORMAT.percentPrecise },
                { field: 'n', type: 'quantitative', title: 'Holdout observations in bin' },
              ],
            },
          },
        ],
        encoding: {
          x: {
            field: 'predicted',
            type: 'quantitative',
            title: 'Predicted win probability (bin mean, %)',
            scale: { domain: [0, 1] },
            axis: { format: FORMAT.percent },
          },
          y: {
            field: 'observed',
            type: 'quantitative',
            title: 'Observed win rate (%)',
            scale: { domain: [0, 1] },
            axis: { format: FORMAT.percent },
          },
        },
      },
    ],
  };
}
