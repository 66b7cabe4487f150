/**
 * A night that cannot train (every closed deal lost: one class only) still scores with the CRM's
 * stage probabilities, and publishes its site: the model page says no model has been trained.
 * Before, the model and overview pages' data asked `model_versions`, which only training creates,
 * and the whole night ended with exit 1 ("Table with name model_versions does not exist") although
 * its scores and forecast were written. The bad-input corpus runs these nights with --no-report.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../../pipeline/base/db.ts';
import { modelData } from '../../reports/src/data/model.json.ts';
import { modelSummary } from '../../reports/src/data/modelSummary.ts';
import { wuweiInProcess } from '../helpers/cli.ts';
import { smallExport } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

describe('a night without a trained model', () => {
  const tmp = tempDir('wuwei-no-model-');
  afterAll(() => tmp.cleanup());

  it('has no model summary rather than a failing query', async () => {
    const db = join(tmp.dir, 'empty', 'wuwei.duckdb');
    const [summary, page] = await withDatabase(db, async (conn) => [await modelSummary(conn), await modelData(conn)]);
    expect(summary).toBeNull();
    expect(page.model).toBeNull();
  });

  it('publishes its site when every closed deal was lost', async () => {
    const source = await smallExport(tmp.dir, 200, 5);
    const file = join(source, 'opportunities.csv');
    const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
    const columns = header!.split(',');
    const at = (name: string) => columns.indexOf(name);
    const lost = rows.map((line) => {
      const fields = line.split(',');
      if (fields[at('is_closed')] !== 'true') return line;
      fields[at('stage')] = 'Closed Lost';
      fields[at('is_won')] = 'false';
      fields[at('probability')] = '0';
      fields[at('forecast_category')] = 'omitted';
      return fields.join(',');
    });
    writeFileSync(file, `${[header, ...lost].join('\n')}\n`);
    rmSync(join(source, 'opportunity_history.csv'));

    const data = join(tmp.dir, 'data');
    const result = await wuweiInProcess(['run', '--source', source, '--db', join(data, 'wuwei.duckdb')]);
    expect(result.output).not.toMatch(/^\s+at /m);
    expect(result.output).toMatch(/fall back to the CRM stage probabilities/);
    expect(result.code, result.output.slice(-2000)).toBe(0);
    expect(result.output).toMatch(/report: 9 pages published/);
    expect(existsSync(join(data, 'site', 'model.html'))).toBe(true);
  }, 180_000);
});
