import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { StrengthPoint } from './types.js';

const PALETTE = ['#1f5fbf', '#e0892c', '#2e8b57', '#8e44ad', '#c0504d', '#5b6270', '#17becf', '#bcbd22'];

/** Relationship strength of each key account at every month end over the last year: a falling line is a cooling account. */
export function strengthTrendChart(
  points: StrengthPoint[],
  options: ChartSize & { labels: Record<string, string> },
): TopLevelSpec {
  const accounts = Object.keys(options.labels).filter((id) => points.some((p) => p.accountId === id));
  const labels = accounts.map((id) => options.labels[id]!);
  const values = [...points]
    .sort((a, b) => a.month.localeCompare(b.month))
    .map((p) => ({ ...p, account: options.labels[p.accountId] ?? p.accountId }));
  const size = sizing(options, { width: 720, height: 280 });
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Line chart of relationship strength per key account at each month end over the last twelve months. Strength adds every interaction ' +
      'with the account, weighted by type (meeting and demo 3, call 2, e-mail 1, 1.5 times if the customer initiated it) and halved every 45 days.',
    title: chartTitle(
      'Relationship strength of the key accounts, last 12 months',
      'Key accounts = largest open pipeline. Strength points at each month end: meetings and demos count 3, calls 2, e-mails 1, customer-initiated 1.5×, halving every 45 days.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 30 } },
    encoding: {
      x: {
        field: 'month',
        type: 'temporal',
        title: 'Month end',
        timeUnit: 'yearmonth',
        axis: { format: '%b %Y', labelAngle: 0 },
      },
      y: { field: 'strength', type: 'quantitative', title: 'Relationship strength (points)' },
      color: {
        field: 'account',
        type: 'nominal',
        title: 'Account',
        sort: labels,
        scale: { domain: labels, range: PALETTE.slice(0, labels.length) },
      },
      tooltip: [
        { field: 'account', type: 'nominal', title: 'Account' },
        { field: 'month', type: 'temporal', timeUnit: 'yearmonth', title: 'Month', format: '%b %Y' },
        { field: 'strength', type: 'quantitative', title: 'Strength (points)', format: ',.1f' },
      ],
    },
  };
}
