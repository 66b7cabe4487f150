/**
 * A tiny canonical export written the way spreadsheets and CRMs write files: UTF-8 BOM,
 * `;` between fields, CRLF line ends, Excel-style quoting ("" inside quotes, a `;` and a line
 * break inside a field), US and European dates, epoch milliseconds (API exports), a thousands separator.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BOM = '\ufeff';

export const TINY = {
  accounts: [
    ['account_id', 'name', 'industry', 'segment', 'employees', 'created_date'],
    ['A1', '"Big ""Co""; Ltd"', 'Software', 'enterprise', '1,200', '01.02.2024'],
    ['A2', 'Small Co', 'Retail', 'smb', '40', '2024-02-15'],
  ],
  users: [
    ['user_id', 'name', 'team', 'manager_id', 'hire_date'],
    ['U1', 'Ana', 'East', '', '2020-01-01'],
    ['U2', 'Bo', 'East', 'U1', '2021-06-01'],
  ],
  opportunities: [
    [
      'opportunity_id',
      'account_id',
      'owner_id',
      'name',
      'created_date',
      'close_date',
      'stage',
      'is_closed',
      'is_won',
      'amount',
      'currency',
    ],
    [
      'O1',
      'A1',
      'U1',
      '"First deal\r\nsecond line"',
      '03/01/2025',
      '2025-04-01T10:00:00Z',
      'Closed Won',
      'TRUE',
      'yes',
      '"1,234.50"',
      'USD',
    ],
    ['O2', 'A2', 'U2', 'Second', '2025-03-05', '15.05.2025', 'Discovery', 'false', 'no', '500', 'USD'],
  ],
  opportunity_history: [
    ['opportunity_id', 'changed_at', 'stage', 'amount'],
    ['O1', '03/01/2025', 'Prospecting', '1000'],
    ['O1', '1743465600000', 'Closed Won', '1234.5'],
    ['O2', '2025-03-05', 'Discovery', '500'],
  ],
} as const;

/** Writes the tiny export as `;`-separated, BOM-prefixed, CRLF CSV files into `dir`. */
export function writeTinyExcelCsv(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const [entity, rows] of Object.entries(TINY)) {
    writeFileSync(join(dir, `${entity}.csv`), BOM + rows.map((row) => row.join(';')).join('\r\n') + '\r\n');
  }
  return dir;
}
