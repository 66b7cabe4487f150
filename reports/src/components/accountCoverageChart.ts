import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, MEASURES, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { AccountRow } from './types.js';

const OURS = 'Our people in touch';
const THEIRS = 'Their contacts in touch';

/** For the accounts with the most potential: how many of our people and of theirs met in the last 90 days. */
export function accountCoverageChart(accounts: AccountRow[], options: ChartSize & { currency: string }): TopLevelSpec {
  const order = [...accounts]
    .sort((a, b) => b.potential - a.potential || a.accountId.localeCompare(b.accountId))
    .map((a) => a.label);
  const values = accounts.flatMap((a) => [
    {
      label: a.label,
      tier: a.tier,
      side: OURS,
      people: a.ourPeople,
      potential: a.potential,
      executive: a.executiveInvolved ? 'yes' : 'no',
    },
    {
      label: a.label,
      tier: a.tier,
      side: THEIRS,
      people: a.theirContacts,
      potential: a.potential,
      executive: a.executiveInvolved ? 'yes' : 'no',
    },
  ]);
  const size = sizing(options, { width: 560, height: Math.max(2, order.length) * 26 }, 'fit-x');
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: `Grouped horizontal bars for the ${order.length} accounts with the largest potential: how many of our employees and how many of the account's contacts took part in interactions in the last 90 days.`,
    title: chartTitle(
      'Coverage of the accounts with most potential',
      'People in touch in the last 90 days, ours next to theirs; accounts by potential, largest first.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: order, title: null },
      yOffset: { field: 'side', type: 'nominal', sort: [OURS, THEIRS] },
      x: {
        field: 'people',
        type: 'quantitative',
        title: 'People in touch, last 90 days (count)',
        axis: { tickMinStep: 1 },
      },
      color: {
        field: 'side',
        type: 'nominal',
        title: null,
        legend: { columns: 1 },
        scale: { domain: [OURS, THEIRS], range: [MEASURES.expected.color, '#9fb7d9'] },
      },
      tooltip: [
        { field: 'label', type: 'nominal', title: 'Account' },
        { field: 'tier', type: 'nominal', title: 'Tier' },
        { field: 'side', type: 'nominal', title: 'Side' },
        { field: 'people', type: 'quantitative', title: 'People' },
        { field: 'executive', type: 'nominal', title: 'Our executive involved' },
        { field: 'potential', type: 'quantitative', title: `Potential (${options.currency})`, format: ',.0f' },
      ],
    },
  };
}
