import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, FORMAT, MEASURES, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import { segmentLabel } from './cycleLengthChart.js';
import type { SegmentForecast } from './types.js';

/** Per customer segment, Wuwei expected bookings beside the CRM weighted pipeline, largest segment first. */
export function segmentForecastChart(segments: SegmentForecast[], options: ChartSize & { currency: string }): TopLevelSpec {
  const ordered = [...segments].sort((a, b) => b.expected - a.expected || a.segment.localeCompare(b.segment));
  const labels = ordered.map((s) => segmentLabel(s.segment));
  const series = [MEASURES.expected.label, MEASURES.weighted.label];
  const values = ordered.flatMap((s) => [
    { segment: segmentLabel(s.segment), series: series[0], amount: s.expected, deals: s.deals, unweighted: s.unweighted },
    { segment: segmentLabel(s.segment), series: series[1], amount: s.weighted, deals: s.deals, unweighted: s.unweighted },
  ]);
  const amount = `Amount (${options.currency})`;
  const size = sizing(options, { width: 460, height: Math.max(2, ordered.length) * 44 }, 'fit-x');
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: 'Grouped horizontal bars per customer segment comparing Wuwei expected bookings with the CRM weighted pipeline of the open deals.',
    title: chartTitle('Expected bookings by segment', `All open deals, ${options.currency}; Wuwei next to the CRM's weighted pipeline.`, size.width),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      y: { field: 'segment', type: 'nominal', sort: labels, title: null },
      yOffset: { field: 'series', type: 'nominal', sort: series },
      x: { field: 'amount', type: 'quantitative', title: amount, axis: { format: FORMAT.amountShort } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: [MEASURES.expected.color, MEASURES.weighted.color] } },
      tooltip: [
        { field: 'segment', type: 'nominal', title: 'Segment' },
        { field: 'series', type: 'nominal', title: 'Measure' },
        { field: 'amount', type: 'quantitative', title: amount, format: FORMAT.amount },
        { field: 'deals', type: 'quantitative', title: 'Open deals', format: ',' },
        { field: 'unweighted', type: 'quantitative', title: `Unweighted pipeline (${options.currency})`, format: FORMAT.amount },
      ],
    },
  };
}
