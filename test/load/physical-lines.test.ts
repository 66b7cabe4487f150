import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { physicalLineCount } from '../../pipeline/load/physical-lines.ts';
import { tempDir } from '../helpers/temp.ts';
import { load, rows, withMemoryDb } from './helpers.ts';
import { TINY, writeTinyExcelCsv } from './tiny-export.ts';

const { dir, cleanup } = tempDir('wuwei-lines-');
afterAll(cleanup);

describe('physical lines of rejected rows', () => {
  it("counts a file's lines, with or without a newline after the last", () => {
    const cases: [string, number][] = [
      ['', 0],
      ['a', 1],
      ['a\nb', 2],
      ['a\nb\n', 2],
      ['a\r\nb\r\n', 2],
      ['h\n"x\ny"\n', 3],
    ];
    for (const [text, lines] of cases) {
      const file = join(dir, `count-${lines}-${text.length}.csv`);
      writeFileSync(file, text);
      expect(physicalLineCount(file), JSON.stringify(text)).toBe(lines);
    }
  });

  it('puts each reject on its line past malformed rows and quoted line breaks, staging rejects (no exchange rate) included', async () => {
    const source = writeTinyExcelCsv(join(dir, 'mixed'));
    const [header, o1, o2] = TINY.opportunities;
    const deal = (id: string, name: string, amount: string, currency: string) => [
      id,
      'A2',
      'U2',
      name,
      '2025-03-05',
      '15.05.2025',
      'Discovery',
      'false',
      'no',
      amount,
      currency,
    ];
    const lines = [
      header, // line 1
      o2, // line 2
      ['O9', 'A1'], // line 3: malformed (DuckDB's own line, which does not see quoted line breaks before it)
      o1, // lines 4-5: a quoted line break
      deal('O3', '"Three\r\nline\r\nname"', '10', 'XYZ'), // lines 6-8: no exchange rate
      deal('O4', 'Four', 'lots', 'USD'), // line 9: not a number
      deal('O5', 'Five', '20', 'USD'), // line 10
    ];
    writeFileSync(join(source, 'opportunities.csv'), lines.map((row) => row.join(';')).join('\r\n') + '\r\n');
    await withMemoryDb(async (conn) => {
      const summary = await load(conn, { source, maxRejectRate: 0.9 });
      expect(summary.entities['opportunities']).toMatchObject({ loaded: 3, rejected: 3 });
      expect(
        await rows(
          conn,
          `SELECT line::INTEGER AS line, column_name, reason FROM load_rejects WHERE entity = 'opportunities' ORDER BY line`,
        ),
      ).toEqual([
        { line: 3, column_name: null, reason: 'malformed row: missing columns' },
        { line: 6, column_name: 'currency', reason: 'no exchange rate to USD' },
        { line: 9, column_name: 'amount', reason: 'unparseable number' },
      ]);
    });
  });
});
