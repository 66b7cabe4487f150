import type { TopLevelSpec } from 'vega-lite';
import {
  AMOUNT_AXIS,
  BASE_CONFIG,
  chartTitle,
  FORMAT,
  sizing,
  VEGA_LITE_SCHEMA,
  type ChartSize,
} from './chartStyle.js';
import { TIERS } from './accountTierChart.js';
import type { AccountsReport, AccountTier } from './types.js';

/** Open pipeline per ESP+ tier, with the number of accounts in each: where the money sits. */
export function tierSummaryChart(
  tiers: AccountsReport['tiers'],
  options: ChartSize & { currency: string },
): TopLevelSpec {
  const order = (Object.keys(TIERS) as AccountTier[]).filter((tier) => tiers.some((t) => t.tier === tier));
  const values = tiers.map((t) => ({
    ...t,
    meaning: TIERS[t.tier].meaning,
    text: `${t.accounts.toLocaleString('en-US')} accounts`,
  }));
  const size = sizing(options, { width: 460, height: Math.max(2, order.length) * 34 }, 'fit-x');
  const amount = `Open pipeline (${options.currency})`;
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Horizontal bar chart of the open pipeline amount in each ESP+ account tier, labelled with the number of accounts in the tier.',
    title: chartTitle('Open pipeline by account tier', 'All accounts; label: accounts in the tier.', size.width),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    encoding: {
      y: { field: 'tier', type: 'nominal', sort: order, title: null },
      tooltip: [
        { field: 'tier', type: 'nominal', title: 'Tier' },
        { field: 'meaning', type: 'nominal', title: 'Means' },
        { field: 'accounts', type: 'quantitative', title: 'Accounts', format: ',' },
        { field: 'openAmount', type: 'quantitative', title: amount, format: FORMAT.amount },
        {
          field: 'potential',
          type: 'quantitative',
          title: `Expected value of open deals (${options.currency})`,
          format: FORMAT.amount,
        },
        {
          field: 'value',
          type: 'quantitative',
          title: `Won, last 24 months (${options.currency})`,
          format: FORMAT.amount,
        },
      ],
    },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 2 },
        encoding: {
          x: { field: 'openAmount', type: 'quantitative', title: amount, axis: AMOUNT_AXIS },
          color: {
            field: 'tier',
            type: 'nominal',
            scale: { domain: order, range: order.map((t) => TIERS[t].color) },
            legend: null,
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, color: '#3b414b' },
        encoding: { x: { field: 'openAmount', type: 'quantitative' }, text: { field: 'text', type: 'nominal' } },
      },
    ],
  };
}
