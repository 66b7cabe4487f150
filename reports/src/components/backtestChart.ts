import type { TopLevelSpec } from 'vega-lite';
import {
  BASE_CONFIG,
  chartTitle,
  FORMAT,
  MEASURES,
  REFERENCE_COLOR,
  sizing,
  VEGA_LITE_SCHEMA,
  type ChartSize,
} from './chartStyle.js';
import type { BacktestRow, ConvergencePoint } from './types.js';

const METHOD_LABELS: Record<string, { label: string; color: string }> = {
  wuwei: { label: 'Wuwei', color: MEASURES.expected.color },
  weighted_pipeline: { label: 'Weighted pipeline (CRM stage %)', color: MEASURES.weighted.color },
  rep_commit: { label: 'Rep commit', color: '#8e44ad' },
  rep_best_case: { label: 'Rep best case', color: '#17becf' },
};

export const methodLabel = (method: string): string => METHOD_LABELS[method]?.label ?? method.replaceAll('_', ' ');

/** Accuracy of each past period's forecast (1 − |actual − forecast| / actual), per method: Wuwei against the CRM baselines. */
export function backtestChart(rows: BacktestRow[], options: ChartSize = {}): TopLevelSpec {
  const ordered = [...rows]
    .filter((r) => r.accuracy !== null)
    .sort((a, b) => a.periodStart.localeCompare(b.periodStart));
  const periods = [...new Set(ordered.map((r) => r.label))];
  const methods = [...new Set(ordered.map((r) => r.method))];
  const labels = methods.map(methodLabel);
  const values = ordered.map((r) => ({
    ...r,
    methodLabel: methodLabel(r.method),
    inRangeText: r.inRange === null ? 'no range' : r.inRange ? 'yes' : 'no',
  }));
  const size = sizing(options, { width: 720, height: 280 });
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Line chart of backtested forecast accuracy per past period, one line per method (Wuwei and the CRM baselines); accuracy is one minus the absolute error relative to the actual bookings.',
    title: chartTitle(
      'How accurate past forecasts were',
      'Backtest: each period forecast from its first day with only what was known then. 100% = exact; the dashed line is 90%.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    layer: [
      {
        data: { values: [{ y: 0.9 }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: REFERENCE_COLOR },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 2.5, point: { filled: true, size: 50 } },
        encoding: {
          x: { field: 'label', type: 'ordinal', sort: periods, title: 'Forecast period', axis: { labelAngle: 0 } },
          y: {
            field: 'accuracy',
            type: 'quantitative',
            title: 'Forecast accuracy (%)',
            scale: { domainMax: 1 },
            axis: { format: FORMAT.percent },
          },
          color: {
            field: 'methodLabel',
            type: 'nominal',
            title: null,
            scale: { domain: labels, range: methods.map((m) => METHOD_LABELS[m]?.color ?? REFERENCE_COLOR) },
          },
          tooltip: [
            { field: 'label', type: 'nominal', title: 'Period' },
            { field: 'methodLabel', type: 'nominal', title: 'Method' },
            { field: 'forecast', type: 'quantitative', title: 'Forecast', format: FORMAT.amount },
            { field: 'actual', type: 'quantitative', title: 'Actual bookings', format: FORMAT.amount },
            { field: 'accuracy', type: 'quantitative', title: 'Accuracy', format: FORMAT.percentPrecise },
            { field: 'bias', type: 'quantitative', title: 'Bias (+ = over-forecast)', format: '+.1%' },
            { field: 'inRangeText', type: 'nominal', title: 'Actual inside P10–P90' },
          ],
        },
      },
    ],
  };
}

/** How each past quarter's forecast converged: accuracy by day of the quarter it was made on, per method. */
export function convergenceChart(points: ConvergencePoint[], options: ChartSize = {}): TopLevelSpec {
  const methods = [...new Set(points.map((p) => p.method))];
  const size = sizing(options, { width: 720, height: 260 });
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Line chart per past quarter of forecast accuracy against the day of the quarter the forecast was made, one line per method.',
    title: chartTitle(
      'How the forecast converged within each quarter',
      'Accuracy of the forecast made on each as-of date, by day of the quarter.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: {
      values: points.filter((p) => p.accuracy !== null).map((p) => ({ ...p, methodLabel: methodLabel(p.method) })),
    },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'day', type: 'quantitative', title: 'Day of the quarter the forecast was made' },
      y: {
        field: 'accuracy',
        type: 'quantitative',
        title: 'Forecast accuracy (%)',
        scale: { domainMax: 1 },
        axis: { format: FORMAT.percent },
      },
      color: {
        field: 'methodLabel',
        type: 'nominal',
        title: null,
        scale: {
          domain: methods.map(methodLabel),
          range: methods.map((m) => METHOD_LABELS[m]?.color ?? REFERENCE_COLOR),
        },
      },
      detail: { field: 'label', type: 'nominal' },
      tooltip: [
        { field: 'label', type: 'nominal', title: 'Quarter' },
        { field: 'asOf', type: 'nominal', title: 'Forecast made on' },
        { field: 'methodLabel', type: 'nominal', title: 'Method' },
        { field: 'accuracy', type: 'quantitative', title: 'Accuracy', format: FORMAT.percentPrecise },
      ],
    },
  };
}
