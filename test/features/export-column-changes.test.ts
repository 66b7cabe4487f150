/**
 * The company's own export columns change between nights: a yes/no column gains a 'maybe' (now text),
 * a number column an 'N/A', another column is removed from the CRM. A night that does not retrain
 * reuses the last training's decisions and the active model. Before, the first change stopped the
 * night ("Conversion Error: Could not convert string 'no' to DOUBLE", exit 70) and the second with
 * "table features_score lacks column(s) custom_..."; now such columns are left out, named in warnings,
 * and scored as missing until the models are retrained.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { wuweiInProcess } from '../helpers/cli.ts';
import { smallExport } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

describe('export columns that change type or go between nights', () => {
  const tmp = tempDir('wuwei-column-changes-');
  afterAll(() => tmp.cleanup());

  it('are left out with a warning, and the night scores every open deal', async () => {
    const source = await smallExport(tmp.dir, 600, 5, { customColumns: true });
    const db = join(tmp.dir, 'data', 'wuwei.duckdb');
    const first = await wuweiInProcess(['run', '--source', source, '--db', db, '--no-report']);
    expect(first.code, first.output.slice(-2000)).toBe(0);
    expect(first.output).toMatch(
      /export columns used by the models: tender_flag \(yes\/no\), budget_allocated \(number\)/,
    );

    // the next night: tender_flag holds a 'maybe' (text now), marketing_score is gone
    const file = join(source, 'opportunities.csv');
    const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
    const columns = header!.split(',');
    const tender = columns.indexOf('tender_flag');
    const score = columns.indexOf('marketing_score');
    const edited = rows.map((line, i) => {
      const fields = line.split(',');
      if (i % 4 === 0) fields[tender] = 'maybe';
      return fields.filter((_, j) => j !== score).join(',');
    });
    writeFileSync(file, `${[columns.filter((_, j) => j !== score).join(','), ...edited].join('\n')}\n`);
    writeFileSync(join(source, 'as_of.txt'), '2026-07-01\n');

    const second = await wuweiInProcess(['run', '--source', source, '--db', db, '--no-report']);
    expect(second.output).not.toMatch(/^\s+at /m);
    expect(second.code, second.output.slice(-2000)).toBe(0);
    expect(second.output).toMatch(
      /export column 'tender_flag' \(opportunities\) is VARCHAR tonight, BOOLEAN when the models were trained: left out until they are retrained/,
    );
    expect(second.output).toMatch(/the export no longer has tender_flag, marketing_score, inputs of model win-/);
    const [counts] = await withDatabase(
      db,
      (conn) =>
        queryRows<{ scored: number; open: number }>(
          conn,
          `SELECT (SELECT count(*) FROM scores WHERE as_of = DATE '2026-07-01')::INTEGER AS scored,
                  (SELECT count(*) FROM features_score)::INTEGER AS open`,
        ),
      { readOnly: true },
    );
    expect(counts!.scored).toBe(counts!.open);
    expect(counts!.scored).toBeGreaterThan(0);
  }, 240_000);
});
