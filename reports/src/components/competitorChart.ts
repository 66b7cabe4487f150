import type { TopLevelSpec } from 'vega-lite';
import {
  BASE_CONFIG,
  chartTitle,
  FORMAT,
  REFERENCE_COLOR,
  sizing,
  VEGA_LITE_SCHEMA,
  type ChartSize,
} from './chartStyle.js';
import type { CompetitorRecord } from './types.js';

/** Our win rate on closed deals where each competitor was present, worst first, against our overall win rate. */
export function competitorChart(
  records: CompetitorRecord[],
  options: ChartSize & { overallWinRate: number | null; currency: string },
): TopLevelSpec {
  const rated = records
    .filter((r) => r.winRate !== null)
    .sort((a, b) => a.winRate! - b.winRate! || a.competitor.localeCompare(b.competitor));
  const order = rated.map((r) => r.competitor);
  const size = sizing(options, { width: 560, height: Math.max(2, order.length) * 30 }, 'fit-x');
  const reference =
    options.overallWinRate === null
      ? []
      : [
          {
            data: {
              values: [
                {
                  rate: options.overallWinRate,
                  text: `all closed deals: ${(100 * options.overallWinRate).toFixed(0)}%`,
                },
              ],
            },
            layer: [
              {
                mark: { type: 'rule', strokeDash: [4, 4], color: REFERENCE_COLOR },
                encoding: { x: { field: 'rate', type: 'quantitative' } },
              },
              {
                mark: {
                  type: 'text',
                  align: 'left',
                  dx: 4,
                  dy: -4,
                  baseline: 'bottom',
                  color: REFERENCE_COLOR,
                  fontSize: 11,
                },
                encoding: {
                  x: { field: 'rate', type: 'quantitative' },
                  y: { value: 0 },
                  text: { field: 'text', type: 'nominal' },
                },
              },
            ],
          },
        ];
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Horizontal bar chart of our win rate on closed deals where each competitor was recorded, lowest first, with a dashed line at our win rate over all closed deals.',
    title: chartTitle(
      'Our record against each competitor',
      'Win rate of our closed deals where the competitor was on the deal; dashed: our win rate over all closed deals.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    layer: [
      {
        data: { values: rated },
        mark: { type: 'bar', cornerRadiusEnd: 2, color: '#1f5fbf' },
        encoding: {
          y: { field: 'competitor', type: 'nominal', sort: order, title: null },
          x: {
            field: 'winRate',
            type: 'quantitative',
            title: 'Our win rate against them (%)',
            scale: { domain: [0, 1] },
            axis: { format: FORMAT.percent },
          },
          tooltip: [
            { field: 'competitor', type: 'nominal', title: 'Competitor' },
            { field: 'winRate', type: 'quantitative', title: 'Our win rate', format: FORMAT.percentPrecise },
            { field: 'won', type: 'quantitative', title: 'Closed deals won' },
            { field: 'closedDeals', type: 'quantitative', title: 'Closed deals against them' },
            { field: 'openDeals', type: 'quantitative', title: 'Open deals with them now' },
            {
              field: 'openAmount',
              type: 'quantitative',
              title: `Open amount (${options.currency})`,
              format: FORMAT.amount,
            },
            { field: 'incumbentOn', type: 'quantitative', title: 'Deals where they are the incumbent' },
          ],
        },
      },
      ...reference,
    ],
  } as TopLevelSpec;
}
