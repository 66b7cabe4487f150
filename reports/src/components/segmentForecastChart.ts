import type { TopLevelSpec } from 'vega-lite';
import {
  AMOUNT_AXIS,
  BASE_CONFIG,
  chartTitle,
  FORMAT,
  MEASURES,
  OUTCOMES,
  sizing,
  VEGA_LITE_SCHEMA,
  type ChartSize,
} from './chartStyle.js';
import type { SegmentPeriodForecast } from './types.js';

/**
 * One period's forecast per segment (owners, teams, regions or product lines) as the forecast stage
 * wrote it: the P10–P90 range as a bar, the median as a dot, already won as a green rule, and the
 * CRM weighted pipeline (won so far included) as a tick. Largest median first.
 */
export function segmentForecastChart(
  segments: SegmentPeriodForecast[],
  options: ChartSize & { currency: string; title: string },
): TopLevelSpec {
  const ordered = [...segments].sort((a, b) => b.p50 - a.p50 || a.label.localeCompare(b.label));
  const labels = ordered.map((s) => s.label);
  const amount = `Bookings (${options.currency})`;
  const size = sizing(options, { width: 460, height: Math.max(2, ordered.length) * 26 }, 'fit-x');
  const y = { field: 'label', type: 'nominal', sort: labels, title: null, axis: { labelLimit: 160 } } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: `Range chart per segment of the forecast bookings in ${options.currency}: a bar from P10 to P90, a dot at the median, a green rule for what is already won and a tick for the CRM weighted pipeline.`,
    title: chartTitle(
      options.title,
      `Bar: P10–P90; dot: median (P50); green: already won; orange tick: CRM weighted pipeline incl. won. ${options.currency}.`,
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values: ordered.map((s) => ({ ...s, crm: s.wonToDate + s.weightedPipeline, base: 0 })) },
    encoding: {
      y,
      tooltip: [
        { field: 'label', type: 'nominal', title: 'Segment' },
        { field: 'p50', type: 'quantitative', title: 'P50 (median)', format: FORMAT.amount },
        { field: 'p10', type: 'quantitative', title: 'P10', format: FORMAT.amount },
        { field: 'p90', type: 'quantitative', title: 'P90', format: FORMAT.amount },
        { field: 'wonToDate', type: 'quantitative', title: 'Already won', format: FORMAT.amount },
        { field: 'crm', type: 'quantitative', title: 'CRM weighted pipeline incl. won', format: FORMAT.amount },
        { field: 'openDeals', type: 'quantitative', title: 'Open deals', format: ',' },
      ],
    },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.6 }, color: MEASURES.expected.color, opacity: 0.25 },
        encoding: { x: { field: 'p10', type: 'quantitative', title: amount, axis: AMOUNT_AXIS }, x2: { field: 'p90' } },
      },
      {
        mark: { type: 'rule', strokeWidth: 6, color: OUTCOMES.won.color, opacity: 0.85 },
        encoding: { x: { field: 'base', type: 'quantitative' }, x2: { field: 'wonToDate' } },
      },
      {
        mark: { type: 'point', filled: true, size: 60, color: MEASURES.expected.color },
        encoding: { x: { field: 'p50', type: 'quantitative' } },
      },
      {
        mark: { type: 'tick', thickness: 3, color: MEASURES.weighted.color, orient: 'vertical' },
        encoding: { x: { field: 'crm', type: 'quantitative' } },
      },
    ],
  };
}
