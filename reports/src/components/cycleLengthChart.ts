import type { TopLevelSpec } from 'vega-lite';
import {
  BASE_CONFIG,
  chartTitle,
  OUTCOMES,
  sizing,
  VEGA_LITE_SCHEMA,
  type ChartSize,
  type Tooltip,
} from './chartStyle.js';
import type { CycleStats } from './types.js';

const SEGMENT_LABELS: Record<string, string> = {
  enterprise: 'Enterprise',
  mid_market: 'Mid-market',
  smb: 'SMB',
  unknown: 'No segment',
};

export const segmentLabel = (segment: string): string => SEGMENT_LABELS[segment] ?? segment;

/**
 * Cycle length (created to closed, days) of won and lost deals per segment, as box plots from
 * pre-computed percentiles: whiskers 10th–90th, box 25th–75th, white tick the median.
 */
export function cycleLengthChart(stats: CycleStats[], options: ChartSize = {}): TopLevelSpec {
  // Segments with the longest won cycles first: enterprise deals usually take longest.
  const wonMedian = (segment: string) => stats.find((s) => s.segment === segment && s.outcome === 'won')?.median ?? -1;
  const segments = [...new Set(stats.map((s) => s.segment))].sort(
    (a, b) => wonMedian(b) - wonMedian(a) || a.localeCompare(b),
  );
  const values = stats.map((s) => ({
    ...s,
    segmentLabel: segmentLabel(s.segment),
    outcomeLabel: OUTCOMES[s.outcome].label,
  }));
  const outcomes = [OUTCOMES.won.label, OUTCOMES.lost.label];
  const tooltip: Tooltip[] = [
    { field: 'segmentLabel', type: 'nominal', title: 'Segment' },
    { field: 'outcomeLabel', type: 'nominal', title: 'Outcome' },
    { field: 'deals', type: 'quantitative', title: 'Closed deals', format: ',' },
    { field: 'median', type: 'quantitative', title: 'Median cycle (days)', format: ',.0f' },
    { field: 'p25', type: 'quantitative', title: '25th percentile (days)', format: ',.0f' },
    { field: 'p75', type: 'quantitative', title: '75th percentile (days)', format: ',.0f' },
    { field: 'p90', type: 'quantitative', title: '90th percentile (days)', format: ',.0f' },
  ];
  const size = sizing(options, { width: 720, height: Math.max(1, segments.length) * 64 }, 'fit-x');
  const y = { field: 'segmentLabel', type: 'nominal', title: 'Segment', sort: segments.map(segmentLabel) } as const;
  const yOffset = { field: 'outcomeLabel', type: 'nominal', sort: outcomes } as const;
  const color = {
    field: 'outcomeLabel',
    type: 'nominal',
    title: null,
    scale: { domain: outcomes, range: [OUTCOMES.won.color, OUTCOMES.lost.color] },
  } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Box plots of sales-cycle length in days, from creation to close, for won and lost deals in each customer segment. ' +
      'Whiskers span the 10th to 90th percentile, boxes the 25th to 75th, and the white tick marks the median.',
    title: chartTitle(
      'How long deals take to close, by segment',
      'Closed deals, days from creation to close. Box: middle half of deals; line: 10th–90th percentile; white tick: median. Lost deals usually die early.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    encoding: { y, yOffset, color, tooltip },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'p10', type: 'quantitative', title: 'Cycle length (days from creation to close)' },
          x2: { field: 'p90' },
        },
      },
      {
        mark: { type: 'bar', height: { band: 0.8 }, cornerRadius: 2 },
        encoding: { x: { field: 'p25', type: 'quantitative' }, x2: { field: 'p75' } },
      },
      {
        mark: { type: 'tick', color: 'white', thickness: 2, bandSize: 14 },
        encoding: { x: { field: 'median', type: 'quantitative' } },
      },
    ],
  };
}
