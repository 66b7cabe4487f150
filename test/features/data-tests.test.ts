/**
 * The data tests beside the SQL models (pipeline/features/sql/tests.yaml) run on every feature
 * build over the real data: they pass on a generated export and stop the build, in one line, when
 * the data breaks one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { dataTestQueries, readDataTests, runDataTests } from '../../pipeline/features/data-tests.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { readSqlModels } from '../../pipeline/features/sql-models.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { WuweiError } from '../../pipeline/base/errors.ts';
import { loadInto, smallExport, TEST_AS_OF } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

describe('feature data tests', () => {
  const tmp = tempDir();
  let source: string;
  beforeAll(async () => {
    source = await smallExport(tmp.dir, 500, 6);
  });
  afterAll(() => tmp.cleanup());

  const built = (work: (conn: DuckDBConnection) => Promise<void>) =>
    withDatabase(':memory:', async (conn) => {
      await loadInto(conn, source);
      await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger });
      await work(conn);
    });

  it('name only models that exist, and each model has its key tested', () => {
    const names = new Set(readSqlModels().map((model) => model.name));
    const tests = readDataTests();
    for (const model of Object.keys(tests)) expect(names.has(model), model).toBe(true);
    for (const mart of ['fct_opportunity_features', 'rel_deal_contact_ties', 'rel_who_knows_whom'])
      expect(tests[mart]?.unique, mart).toBeDefined();
  });

  it('pass on a real build, and each check counts the rows that break it', async () => {
    await built(async (conn) => {
      const models = readSqlModels().map((model) => model.name);
      const tests = readDataTests();
      const expected = Object.entries(tests).flatMap(([model, t]) => dataTestQueries(model, t)).length;
      expect(await runDataTests(conn, models)).toBe(expected);
      expect(expected).toBeGreaterThan(30);
    });
  });

  it('stop the build in one line naming the broken test and its count', async () => {
    await built(async (conn) => {
      // one training row twice, and a scoring row that knows its outcome: both leaks a build must not pass
      await conn.run(
        `INSERT INTO fct_opportunity_features SELECT * FROM fct_opportunity_features WHERE purpose = 'train' LIMIT 1`,
      );
      const [{ id }] = (await queryRows<{ id: string }>(
        conn,
        `SELECT opportunity_id AS id FROM fct_opportunity_features WHERE purpose = 'score' LIMIT 1`,
      )) as [{ id: string }];
      await conn.run(
        `UPDATE fct_opportunity_features SET label_won = 1 WHERE opportunity_id = $1 AND purpose = 'score'`,
        [id],
      );
      const error: unknown = await runDataTests(
        conn,
        readSqlModels().map((model) => model.name),
      ).then(
        () => null,
        (e: unknown) => e,
      );
      if (!(error instanceof WuweiError)) throw new Error(`expected a WuweiError, got ${String(error)}`);
      expect(error.code).toBe('data_test_failed');
      expect(error.message).not.toContain('\n');
      expect(error.message).toContain('fct_opportunity_features: unique (opportunity_id, as_of, purpose): 1 failing');
      expect(error.message).toContain(
        "fct_opportunity_features: expression (purpose = 'train') = (label_won IS NOT NULL): 1 failing",
      );
    });
  });
});
