/**
 * Deals created after the export's as-of date are left out of the night: the features observe the
 * deals of the date. An export cut a day later than its as_of.txt says (or a wrong --as-of) lost its
 * newest deals from scores and forecast without a word; the load now says how many, and what to do.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wuweiInProcess } from '../helpers/cli.ts';
import { smallExport } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

describe('deals created after the as-of date', () => {
  const tmp = tempDir('wuwei-after-as-of-');
  afterAll(() => tmp.cleanup());

  it('are counted in a warning of the load, and none in an export cut on its date', async () => {
    const source = await smallExport(tmp.dir, 200, 5);
    const clean = await wuweiInProcess(['load', '--source', source, '--db', join(tmp.dir, 'clean', 'wuwei.duckdb')]);
    expect(clean.code, clean.output).toBe(0);
    expect(clean.output).not.toMatch(/after the as-of date/);

    const file = join(source, 'opportunities.csv');
    const [header, first] = readFileSync(file, 'utf8').split('\n');
    const columns = header!.split(',');
    const later = (id: string) => {
      const fields = first!.split(',');
      const set = (column: string, value: string) => {
        fields[columns.indexOf(column)] = value;
      };
      set('opportunity_id', id);
      set('created_date', '2026-07-01');
      set('close_date', '2026-09-30');
      set('stage', 'Prospecting');
      set('is_closed', 'false');
      set('is_won', 'false');
      return fields.join(',');
    };
    writeFileSync(file, `${readFileSync(file, 'utf8')}${later('O9999998')}\n${later('O9999999')}\n`);
    const result = await wuweiInProcess(['load', '--source', source, '--db', join(tmp.dir, 'late', 'wuwei.duckdb')]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(
      /warning: 2 deals were created after the as-of date 2026-06-30 \(2 open, the first on 2026-07-01\): left out of tonight's features, scores and forecast; if the export was cut later, pass --as-of/,
    );
  }, 60_000);
});
