import type { TopLevelSpec } from 'vega-lite';
import {
  AMOUNT_AXIS,
  BASE_CONFIG,
  chartTitle,
  FORMAT,
  REFERENCE_COLOR,
  sizing,
  VEGA_LITE_SCHEMA,
  type ChartSize,
} from './chartStyle.js';
import type { AccountRow, AccountTier } from './types.js';

export const TIERS: Record<AccountTier, { color: string; meaning: string }> = {
  Strategic: { color: '#1f5fbf', meaning: 'high value and high potential' },
  Grow: { color: '#2e8b57', meaning: 'high potential, value still low' },
  Maintain: { color: '#e0892c', meaning: 'high value, little open potential' },
  Monitor: { color: '#8a8f98', meaning: 'neither, yet' },
};

/**
 * Accounts placed by value (won in the last 24 months) and potential (expected value of
 * their open deals), on square-root scales so the many small accounts stay visible; the dashed
 * lines are the thresholds that define the tiers; dot size is relationship strength.
 */
export function accountTierChart(
  accounts: AccountRow[],
  options: ChartSize & { currency: string; valueThreshold: number; potentialThreshold: number },
): TopLevelSpec {
  const tiers = Object.keys(TIERS) as AccountTier[];
  const size = sizing(options, { width: 720, height: 380 });
  const money = (title: string) => `${title} (${options.currency})`;
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Scatter plot of accounts: value (revenue won in the last 24 months) on the horizontal axis, potential (expected value of open deals: win probability × amount) on the vertical axis, ' +
      'coloured by ESP+ tier, dot size by relationship strength, with dashed threshold lines that separate the tiers.',
    title: chartTitle(
      'Account tiers by value and potential',
      `Top ${accounts.length} accounts by value + potential. Dashed lines: the top-fifth thresholds that define the tiers. Bigger dot: stronger relationship.`,
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    layer: [
      {
        data: { values: accounts },
        mark: { type: 'circle', opacity: 0.75, stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x: {
            field: 'value',
            type: 'quantitative',
            title: money('Value: won in the last 24 months'),
            scale: { type: 'sqrt' },
            axis: AMOUNT_AXIS,
          },
          y: {
            field: 'potential',
            type: 'quantitative',
            title: money('Potential: expected value of open deals'),
            scale: { type: 'sqrt' },
            axis: AMOUNT_AXIS,
          },
          color: {
            field: 'tier',
            type: 'nominal',
            title: 'Tier',
            scale: { domain: tiers, range: tiers.map((t) => TIERS[t].color) },
          },
          size: {
            field: 'strength',
            type: 'quantitative',
            title: 'Strength (points)',
            scale: { range: [15, 320] },
            legend: { tickCount: 3 },
          },
          tooltip: [
            { field: 'label', type: 'nominal', title: 'Account' },
            { field: 'tier', type: 'nominal', title: 'Tier' },
            { field: 'value', type: 'quantitative', title: money('Won, last 24 months'), format: FORMAT.amount },
            {
              field: 'potential',
              type: 'quantitative',
              title: money('Expected value, open deals'),
              format: FORMAT.amount,
            },
            { field: 'openAmount', type: 'quantitative', title: money('Open pipeline'), format: FORMAT.amount },
            { field: 'ourPeople', type: 'quantitative', title: 'Our people in touch (90 days)' },
            { field: 'strength', type: 'quantitative', title: 'Relationship strength (points)', format: ',.1f' },
          ],
        },
      },
      {
        data: { values: [{ x: options.valueThreshold }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: REFERENCE_COLOR },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
      {
        data: { values: [{ y: options.potentialThreshold }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: REFERENCE_COLOR },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
    ],
  };
}
