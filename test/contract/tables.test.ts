/**
 * The table contract holds for what the real stages write: generate -> load -> features -> train ->
 * score -> forecast on a small generated export, then every persistent table and view in the
 * database must be declared in pipeline/contract, with each declared column present and of its type.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { defaultConfig, type WuweiConfig } from '../../pipeline/config/config.ts';
import { contractViolations, keyViolations, TABLES } from '../../pipeline/contract/tables.ts';
import { FEATURE_NAMES } from '../../pipeline/features/catalog.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { runPaths } from '../../pipeline/config/paths.ts';
import {
  featuresStage,
  forecastStage,
  loadStage,
  movesStage,
  scoreStage,
  trainStage,
} from '../../pipeline/commands/stages.ts';
import { smallExport } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

describe('table contract', () => {
  const tmp = tempDir();
  const paths = runPaths(join(tmp.dir, 'wuwei.duckdb'));
  const defaults = defaultConfig();
  const config: WuweiConfig = { ...defaults, models: { ...defaults.models, epochs: 2, minWon: 10, minLost: 10 } };

  beforeAll(async () => {
    const source = await smallExport(tmp.dir, 600, 4);
    await loadStage(paths, { source, log: quietLogger, config });
    await featuresStage(paths, { log: quietLogger, config });
    const trained = await trainStage(paths, { log: quietLogger, config });
    expect(trained.status).toBe('trained');
    await scoreStage(paths, { log: quietLogger, config });
    await movesStage(paths, { log: quietLogger, config });
    await forecastStage(paths, { log: quietLogger, config });
  }, 600_000);
  afterAll(() => tmp.cleanup());

  it('declares every table the stages wrote, with each declared column of its declared type', async () => {
    const problems = await withDatabase(paths.db, (conn) => contractViolations(conn, FEATURE_NAMES));
    expect(problems).toEqual([]);
  });

  it('holds every declared key on the real data', async () => {
    expect(await withDatabase(paths.db, (conn) => keyViolations(conn))).toEqual([]);
  });

  it("calls the model's close date predicted_close_date and the rep's expected_close_date, in table and CSV", async () => {
    const rows = await withDatabase(paths.db, (conn) =>
      queryRows<{ mismatches: number; n: number; differ: number }>(
        conn,
        `SELECT count(*)::INTEGER AS n,
                count(*) FILTER (WHERE csv.predicted_close_date IS DISTINCT FROM s.predicted_close_date
                              OR csv.expected_close_date IS DISTINCT FROM s.expected_close_date)::INTEGER AS mismatches,
                count(*) FILTER (WHERE s.predicted_close_date IS DISTINCT FROM s.expected_close_date)::INTEGER AS differ
         FROM read_csv($1, types = {'predicted_close_date': 'DATE', 'expected_close_date': 'DATE'}) AS csv
         JOIN scores AS s USING (opportunity_id)
         WHERE s.as_of = (SELECT max(as_of) FROM scores)`,
        [join(paths.out, 'scores.csv')],
      ),
    );
    expect(rows[0]!.n).toBeGreaterThan(0);
    expect(rows[0]!.mismatches).toBe(0);
    expect(rows[0]!.differ).toBeGreaterThan(0); // the two dates are different facts, so the check can tell them apart
  });

  it('catches a table not declared, a column missing and a column of another type', async () => {
    const problems = await withDatabase(paths.db, async (conn) => {
      await conn.run('CREATE TABLE scratch_notes (note VARCHAR)');
      await conn.run('ALTER TABLE scores DROP COLUMN slip_risk');
      await conn.run('ALTER TABLE feature_build ALTER COLUMN closed_won TYPE DOUBLE');
      await conn.run('ALTER TABLE forecasts ADD COLUMN surprise INTEGER');
      return contractViolations(conn, FEATURE_NAMES);
    });
    expect(problems.sort()).toEqual(
      [
        'table scratch_notes is not declared',
        'scores.slip_risk is missing',
        'feature_build.closed_won is DOUBLE, declared INTEGER',
        'forecasts.surprise is not declared',
      ].sort(),
    );
  });

  it('declares each table once, with an owning stage and a description for it and every column', () => {
    const names = TABLES.map((table) => table.name);
    expect(new Set(names).size).toBe(names.length);
    for (const table of TABLES) {
      expect(table.description, table.name).not.toBe('');
      for (const column of table.columns) expect(column.description, `${table.name}.${column.name}`).not.toBe('');
      for (const key of table.key)
        expect(
          table.columns.map((c) => c.name),
          `${table.name} key`,
        ).toContain(key);
    }
    const personal = TABLES.flatMap((t) => t.columns.filter((c) => c.personal).map((c) => `${t.name}.${c.name}`));
    expect(personal).toEqual(expect.arrayContaining(['contacts.email', 'contacts.first_name', 'users.name']));
  });
});
