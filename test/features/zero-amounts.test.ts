/**
 * Zero, missing and extreme amounts never stop a run (issue 14): an export with a stage history whose
 * amounts are 0 on one deal in ten (won ones included) and missing on others loads, builds features
 * with every value finite, and the retraining rule's drift check reads them without an error. A feature
 * model that fails anyway is one line naming it.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { FEATURE_NAMES } from '../../pipeline/features/catalog.ts';
import { loadExports } from '../../pipeline/load/index.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { decideRetrain, recordTrainingSnapshot } from '../../pipeline/commands/retrain.ts';
import { defaultConfig } from '../../pipeline/config/config.ts';
import { WuweiError } from '../../pipeline/base/errors.ts';
import { smallExport, TEST_AS_OF } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

describe('an export with $0 and missing amounts', () => {
  const tmp = tempDir('wuwei-zero-amounts-');
  afterAll(() => tmp.cleanup());

  it('builds finite features and the drift check runs', async () => {
    const source = await smallExport(tmp.dir, 700, 8);
    await withDatabase(':memory:', async (conn) => {
      // the export's own files, rewritten: amounts 0 on every tenth deal, missing on every fifteenth
      const amount = `CASE WHEN hash(opportunity_id) % 10 = 0 THEN '0' WHEN hash(opportunity_id) % 15 = 1 THEN NULL ELSE amount END AS amount`;
      for (const file of ['opportunities', 'opportunity_history']) {
        const path = join(source, `${file}.csv`);
        await conn.run(
          `CREATE TEMP TABLE rewritten AS SELECT * REPLACE (${amount}) FROM read_csv('${path}', all_varchar = true, header = true)`,
        );
        await conn.run(`COPY rewritten TO '${path}' (HEADER, DELIMITER ',')`);
        await conn.run('DROP TABLE rewritten');
      }
    });
    await withDatabase(':memory:', async (conn) => {
      await loadExports(conn, { source, log: quietLogger });
      const [zeros] = await queryRows<{ won: number }>(
        conn,
        `SELECT count(*)::INTEGER AS won FROM opportunities WHERE amount = 0 AND is_won`,
      );
      expect(zeros!.won).toBeGreaterThan(5);
      await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger });
      for (const table of ['features_train', 'features_score']) {
        const [row] = await queryRows<{ n: number }>(
          conn,
          `SELECT count(*)::INTEGER AS n FROM ${table} WHERE ${FEATURE_NAMES.map((f) => `NOT isfinite(coalesce(${f}, 0))`).join(' OR ')}`,
        );
        expect(row!.n, table).toBe(0);
      }
      // the money features are there (0 counts as 1 in logs and ratios), not blanked
      const [money] = await queryRows<{ n: number }>(
        conn,
        `SELECT count(pbm_money_amount_vs_account)::INTEGER AS n FROM features_train`,
      );
      expect(money!.n).toBeGreaterThan(100);
      await recordTrainingSnapshot(conn, 'v-zero', TEST_AS_OF);
      await conn.run(`CREATE TABLE model_versions AS SELECT 'v-zero' AS version, true AS active, now() AS trained_at`);
      const decision = await decideRetrain(conn, { asOf: TEST_AS_OF, policy: defaultConfig().retrain, force: false });
      expect(decision).toEqual({ due: false, reason: 'the active model is 0 days old and the data did not drift' });
    });
  });

  it('a feature model that fails is one line naming the SQL model, as a user error', async () => {
    const source = await smallExport(tmp.dir, 300, 9);
    await withDatabase(':memory:', async (conn) => {
      await loadExports(conn, { source, log: quietLogger });
      await conn.run('DROP TABLE opportunity_line_items');
      const failure = await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger }).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(WuweiError);
      const message = (failure as WuweiError).message;
      expect(message).toMatch(/^feature model intermediate\/int_line_items\.sql failed: .*opportunity_line_items/);
      expect(message).not.toContain('\n');
    });
  });
});
