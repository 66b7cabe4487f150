import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, FORMAT, MODELS, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { ModelMetric } from './types.js';

const REP = 'Rep-entered amount';

/** Deal-size error on won holdout deals: the Wuwei amount model against the amount the rep typed in (lower is better). */
export function amountErrorChart(metrics: ModelMetric[], options: ChartSize = {}): TopLevelSpec {
  const series = [MODELS.wuwei.label, REP];
  const values = metrics.flatMap((m) => [
    { metric: m.name, series: series[0], error: m.wuwei },
    { metric: m.name, series: REP, error: m.baseline },
  ]);
  const size = sizing(options, { width: 460, height: Math.max(1, metrics.length) * 60 }, 'fit-x');
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Grouped horizontal bars of the deal-size error on won holdout deals (weighted absolute percentage error and median absolute percentage error) for the Wuwei amount model and for the rep-entered amount.',
    title: chartTitle(
      'Deal size: Wuwei vs the rep amount',
      'Error of the predicted final amount on won holdout deals; shorter is better.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      y: { field: 'metric', type: 'nominal', title: null },
      yOffset: { field: 'series', type: 'nominal', sort: series },
      x: {
        field: 'error',
        type: 'quantitative',
        title: 'Error (% of the final amount)',
        axis: { format: FORMAT.percent },
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: series, range: [MODELS.wuwei.color, MODELS.stage_baseline.color] },
      },
      tooltip: [
        { field: 'metric', type: 'nominal', title: 'Metric' },
        { field: 'series', type: 'nominal', title: 'Amount from' },
        { field: 'error', type: 'quantitative', title: 'Error', format: FORMAT.percentPrecise },
      ],
    },
  };
}
