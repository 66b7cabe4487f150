/**
 * The table of top open deals by expected value, as plain DOM (Framework's Inputs.table would be
 * fetched from a CDN). Ids only: the scores table holds no names of people.
 */
import { formatAmount, formatDate, formatPercent } from './format.js';
import type { OpenDeal } from './types.js';

interface Column {
  title: string;
  numeric?: boolean;
  cell: (deal: OpenDeal) => string;
  hint?: string;
  /** Framework's `red` / `green` text classes, where the value is a signal. */
  tone?: (deal: OpenDeal) => 'red' | 'green' | null;
}

/** Ten points or more apart from the stage is worth a look. */
const gap = (deal: OpenDeal) => deal.winProbability - deal.stageProbability;

const COLUMNS: Column[] = [
  { title: 'Deal', cell: (deal) => deal.opportunityId },
  { title: 'Account', cell: (deal) => deal.accountId },
  { title: 'Owner', cell: (deal) => deal.ownerId },
  { title: 'Stage', cell: (deal) => deal.stage },
  { title: 'Expected close', cell: (deal) => formatDate(deal.expectedCloseDate), hint: "The rep's expected close date" },
  { title: 'Amount', numeric: true, cell: (deal) => formatAmount(deal.amount) },
  { title: 'CRM stage %', numeric: true, cell: (deal) => formatPercent(deal.stageProbability) },
  { title: 'Wuwei win %', numeric: true, cell: (deal) => formatPercent(deal.winProbability) },
  {
    title: 'Wuwei vs stage',
    numeric: true,
    cell: (deal) => {
      const points = Math.round(100 * (deal.winProbability - deal.stageProbability));
      return points === 0 ? '±0 pts' : `${points > 0 ? '+' : '−'}${Math.abs(points)} pts`;
    },
    hint: 'Wuwei win probability minus the CRM stage probability, in percentage points',
    tone: (deal) => (gap(deal) <= -0.1 ? 'red' : gap(deal) >= 0.1 ? 'green' : null),
  },
  { title: 'Expected value', numeric: true, cell: (deal) => formatAmount(deal.expectedValue), hint: 'Amount × Wuwei win probability' },
];

export function dealsTable(deals: OpenDeal[]): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'wuwei-deals';
  const head = table.createTHead().insertRow();
  for (const column of COLUMNS) {
    const th = document.createElement('th');
    th.textContent = column.title;
    if (column.hint) th.title = column.hint;
    if (column.numeric) th.style.textAlign = 'right';
    head.append(th);
  }
  const body = table.createTBody();
  for (const deal of deals) {
    const row = body.insertRow();
    for (const column of COLUMNS) {
      const td = row.insertCell();
      td.textContent = column.cell(deal);
      const tone = column.tone?.(deal);
      if (tone) td.className = tone;
      if (column.numeric) {
        td.style.textAlign = 'right';
        td.style.fontVariantNumeric = 'tabular-nums';
      }
    }
  }
  return table;
}
