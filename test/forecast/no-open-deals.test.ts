/**
 * A night with no open deal (every deal of the export closed): scoring has nothing to score, and the
 * night still forecasts from the won deals and the new ones to come, and publishes its site. Before,
 * the forecast stopped the night with "no scores as of ...: run `wuwei score` before the forecast"
 * (it had run) and the report with "the scores table is empty".
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { wuweiInProcess } from '../helpers/cli.ts';
import { smallExport } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

describe('a night with no open deal', () => {
  const tmp = tempDir('wuwei-no-open-');
  afterAll(() => tmp.cleanup());

  it('forecasts the won deals and publishes its site', async () => {
    const source = await smallExport(tmp.dir, 300, 5, { shape: 'flat' });
    const file = join(source, 'opportunities.csv');
    const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
    const columns = header!.split(',');
    const at = (name: string) => columns.indexOf(name);
    const closed = rows.map((line) => {
      const fields = line.split(',');
      if (fields[at('is_closed')] === 'true') return line;
      fields[at('stage')] = 'Closed Lost';
      fields[at('is_closed')] = 'true';
      fields[at('probability')] = '0';
      fields[at('forecast_category')] = 'omitted';
      fields[at('close_date')] = '2026-06-30';
      return fields.join(',');
    });
    writeFileSync(file, `${[header, ...closed].join('\n')}\n`);

    const data = join(tmp.dir, 'data');
    const db = join(data, 'wuwei.duckdb');
    const result = await wuweiInProcess(['run', '--source', source, '--db', db]);
    expect(result.output).not.toMatch(/^\s+at /m);
    expect(result.code, result.output.slice(-2000)).toBe(0);
    expect(result.output).toMatch(/report: 9 pages published/);
    const [company] = await withDatabase(
      db,
      (conn) =>
        queryRows<{ won: number; open: number; scores: number }>(
          conn,
          `SELECT sum(won_to_date)::DOUBLE AS won, sum(open_deals)::INTEGER AS open,
                  (SELECT count(*) FROM scores)::INTEGER AS scores
           FROM forecasts WHERE segment_type = 'all' AND period_type = 'quarter'`,
        ),
      { readOnly: true },
    );
    expect(company!.scores).toBe(0);
    expect(company!.open).toBe(0);
    expect(company!.won).toBeGreaterThan(0);
  }, 180_000);
});
