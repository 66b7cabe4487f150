import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, FORMAT, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { CoverageCell } from './types.js';

export const COVERAGE_STATUS = {
  engaged: { label: 'Engaged (took part in an activity)', color: '#2e8b57' },
  named: { label: 'Named in the CRM, never engaged', color: '#f0b429' },
  missing: { label: 'Nobody in this role', color: '#e6e8ec' },
} as const;

/** "technical_evaluator" -> "Technical evaluator" */
export const roleLabel = (role: string): string => {
  const words = role.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/**
 * The buying committee of the largest open deals: one row per role, one column per deal (largest
 * first); green where we engage someone in the role, amber where a name is on file only, grey where
 * nobody is known. Grey columns are deals we cannot see into.
 */
export function coverageHeatmap(
  cells: CoverageCell[],
  options: ChartSize & { roles: string[]; currency: string },
): TopLevelSpec {
  const deals = [
    ...new Set(
      [...cells]
        .sort((a, b) => b.amount - a.amount || a.opportunityId.localeCompare(b.opportunityId))
        .map((c) => c.dealName ?? c.opportunityId),
    ),
  ];
  const roles = options.roles.map(roleLabel);
  const statuses = Object.values(COVERAGE_STATUS);
  const values = cells.map((cell) => ({
    ...cell,
    deal: cell.dealName ?? cell.opportunityId,
    roleLabel: roleLabel(cell.role),
    statusLabel: COVERAGE_STATUS[cell.status].label,
  }));
  const size = sizing(options, { width: 720, height: roles.length * 26 }, 'fit-x');
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      `Heatmap of decision-chain coverage for the ${deals.length} largest open deals: rows are the six buying roles, columns are deals ordered by amount; ` +
      'each cell shows whether a contact in that role is engaged, only named, or missing.',
    title: chartTitle(
      `Decision-chain coverage of the ${deals.length} largest open deals`,
      'Each column is a deal, largest on the left. Green: we engage someone in the role; amber: a name on file only; grey: nobody known.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'rect', stroke: 'white', strokeWidth: 1.5 },
    encoding: {
      x: {
        field: 'deal',
        type: 'nominal',
        sort: deals,
        title: 'Open deal (largest amount first)',
        axis: { labelAngle: -60, labelFontSize: 10, labelLimit: 280 },
      },
      y: { field: 'roleLabel', type: 'nominal', sort: roles, title: 'Buying role' },
      color: {
        field: 'statusLabel',
        type: 'nominal',
        title: null,
        scale: { domain: statuses.map((s) => s.label), range: statuses.map((s) => s.color) },
      },
      tooltip: [
        { field: 'deal', type: 'nominal', title: 'Deal' },
        { field: 'accountId', type: 'nominal', title: 'Account' },
        { field: 'stage', type: 'nominal', title: 'Stage' },
        { field: 'amount', type: 'quantitative', title: `Amount (${options.currency})`, format: FORMAT.amount },
        { field: 'roleLabel', type: 'nominal', title: 'Role' },
        { field: 'statusLabel', type: 'nominal', title: 'Coverage' },
        { field: 'contacts', type: 'quantitative', title: 'Contacts in the role' },
      ],
    },
  };
}
