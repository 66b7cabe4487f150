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
import type { CurvePoint, ModelName } from './types.js';

export interface RocChartOptions extends ChartSize {
  /** Holdout AUC per model, shown in the legend. */
  auc?: Partial<Record<ModelName, number>>;
}

/**
 * ROC curves on the holdout deals: the Wuwei model against the CRM stage probability, with the
 * diagonal of a coin toss. The higher and further left a curve runs, the better it ranks deals.
 */
export function rocChart(points: CurvePoint[], options: RocChartOptions = {}): TopLevelSpec {
  const label = (model: ModelName) => {
    const auc = options.auc?.[model];
    return auc === undefined ? MODELS[model].label : `${MODELS[model].label} (AUC ${auc.toFixed(3)})`;
  };
  const models = modelsIn(points);
  const seriesLabels = models.map(label);
  const values = points
    .filter((point) => models.includes(point.model))
    .map((point) => ({ series: label(point.model), fpr: point.x, tpr: point.y }))
    .sort((a, b) => (a.series === b.series ? a.fpr - b.fpr || a.tpr - b.tpr : a.series < b.series ? -1 : 1));
  const size = sizing(options, { width: 460, height: 400 });
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'ROC curves on the holdout deals: true-positive rate against false-positive rate for the Wuwei model and for the CRM stage probability, ' +
      'with the diagonal of a random guess. A larger area under the curve (AUC) means the score ranks won deals above lost ones more often.',
    title: chartTitle(
      'How well each score ranks won above lost deals (ROC)',
      'Holdout deals the model never saw. Up and to the left is better.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    layer: [
      diagonalLayer('fpr', 'tpr'),
      {
        data: { values: [{ fpr: 0.62, tpr: 0.56, text: 'random guess' }] },
        mark: { type: 'text', color: REFERENCE_COLOR, angle: 0, align: 'left', fontSize: 11 },
        encoding: {
          x: { field: 'fpr', type: 'quantitative' },
          y: { field: 'tpr', type: 'quantitative' },
          text: { field: 'text', type: 'nominal' },
        },
      },
      {
        data: { values },
        // Invisible points along the curve carry the tooltips.
        mark: { type: 'line', strokeWidth: 2.5, point: { filled: true, size: 30, opacity: 0 } },
        encoding: {
          x: {
            field: 'fpr',
            type: 'quantitative',
            title: 'False-positive rate (share of lost deals flagged, %)',
            scale: { domain: [0, 1] },
            axis: { format: FORMAT.percent },
          },
          y: {
            field: 'tpr',
            type: 'quantitative',
            title: 'True-positive rate (share of won deals flagged, %)',
            scale: { domain: [0, 1] },
            axis: { format: FORMAT.percent },
          },
          order: { field: 'fpr', type: 'quantitative' },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: seriesLabels, range: models.map((model) => MODELS[model].color) },
            // Below the curves is empty: the legend sits there instead of widening the chart.
            legend: {
              orient: 'bottom-right',
              direction: 'vertical',
              columns: 1,
              fillColor: 'rgba(255,255,255,0.85)',
              padding: 6,
            },
          },
          tooltip: [
            { field: 'series', type: 'nominal', title: 'Score' },
            { field: 'fpr', type: 'quantitative', title: 'False-positive rate', format: FORMAT.percentPrecise },
            { field: 'tpr', type: 'quantitative', title: 'True-positive rate', format: FORMAT.percentPrecise },
          ],
        },
      },
    ],
  };
}
