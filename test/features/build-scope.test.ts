/**
 * How much the feature build observes. A night that does not retrain builds only the open deals'
 * features: they must be exactly the full build's (the training observations are not an input to
 * any scoring feature), and the training table must be left as the last full build made it. On a
 * long history the build observes at most `maxTrainingDeals` closed deals for training (the sample
 * the models read), so the training table stays bounded; the open deals are untouched.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { loadInto, smallExport, TEST_AS_OF } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

async function deals(conn: DuckDBConnection, table: string): Promise<string[]> {
  return (await queryRows<{ id: string }>(conn, `SELECT DISTINCT opportunity_id AS id FROM ${table} ORDER BY id`)).map(
    (r) => r.id,
  );
}

/**
 * Rows of a table, every column, in a stable order, as JSON text. Numbers to 12 significant digits:
 * DuckDB's parallel sums add in an order that depends on the rows around them (differences ~1e-16).
 */
async function contents(conn: DuckDBConnection, table: string): Promise<string> {
  const rows = await queryRows(conn, `SELECT * FROM ${table} ORDER BY ALL`);
  return JSON.stringify(rows, (_, value) =>
    typeof value === 'bigint' ? value.toString() : typeof value === 'number' ? Number(value.toPrecision(12)) : value,
  );
}

describe('scoring-only and sampled feature builds', () => {
  const tmp = tempDir();
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;

  beforeAll(async () => {
    const source = await smallExport(tmp.dir, 600, 9);
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await loadInto(conn, source);
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  it('gives the full build its open deals exactly, keeps the training table, and records which build ran', async () => {
    const debug: string[] = [];
    const full = await buildFeatures(conn, { asOf: TEST_AS_OF, log: { ...quietLogger, debug: (m) => debug.push(m) } });
    expect(full.training).toBe(true);
    // where a build spends its time: each SQL model's seconds in the summary and in the debug log
    expect(debug.filter((line) => /^feature model \w+\/\w+: \d+\.\d\d s$/.test(line))).toHaveLength(
      Object.keys(full.modelSeconds).length,
    );
    expect(Object.keys(full.modelSeconds)).toContain('int_similar_deals');
    const fullScore = await contents(conn, 'features_score');
    const fullTrain = await contents(conn, 'features_train');
    const [fullBuild] = await queryRows<{ training: boolean; closed_won: number; closed_lost: number }>(
      conn,
      'SELECT training, closed_won, closed_lost FROM feature_build',
    );

    // a scoring-only build after the training table was deleted row by row: it must not be rebuilt
    await conn.run('CREATE TABLE kept AS SELECT * FROM features_train');
    await conn.run(
      'DELETE FROM features_train WHERE opportunity_id IN (SELECT opportunity_id FROM features_train ORDER BY opportunity_id LIMIT 10)',
    );
    const partialTrain = await contents(conn, 'features_train');
    const scoring = await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger, training: false });

    expect(scoring.training).toBe(false);
    expect(await contents(conn, 'features_score')).toBe(fullScore);
    expect(await contents(conn, 'features_train')).toBe(partialTrain);
    expect(partialTrain).not.toBe(fullTrain);
    const [scoringBuild] = await queryRows<{ training: boolean; closed_won: number; closed_lost: number }>(
      conn,
      'SELECT training, closed_won, closed_lost FROM feature_build',
    );
    expect(scoringBuild).toEqual({ ...fullBuild, training: false });
    expect(fullBuild!.closed_won).toBeGreaterThan(0);
    expect(fullBuild!.closed_lost).toBeGreaterThan(0);
  });

  it('builds the training table anyway when there is none', async () => {
    await conn.run('DROP TABLE IF EXISTS features_train');
    const summary = await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger, training: false });
    expect(summary.training).toBe(true);
    expect(summary.trainingRows).toBeGreaterThan(0);
  });

  it('observes only the drawn closed deals, the first by MD5 of the id, and scores every open deal', async () => {
    await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger });
    const byDraw = `SELECT DISTINCT opportunity_id AS id, md5(opportunity_id) AS draw FROM features_train ORDER BY draw, id`;
    const allTrain = (await queryRows<{ id: string }>(conn, byDraw)).map((r) => r.id);
    const allScore = await deals(conn, 'features_score');
    expect(allTrain.length).toBeGreaterThan(200);

    await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger, maxTrainingDeals: 100 });
    const sampled = (await queryRows<{ id: string }>(conn, byDraw)).map((r) => r.id);
    expect(sampled.length).toBeLessThanOrEqual(100);
    expect(sampled.length).toBeGreaterThan(90); // a drawn deal closed the day it was created has no observation
    // the first deals in the draw order, not any 100 (a recent window or the oldest would fail this)
    expect(sampled).toEqual(allTrain.slice(0, sampled.length));
    expect(await deals(conn, 'features_score')).toEqual(allScore);
    const [build] = await queryRows<{ max_training_deals: number }>(
      conn,
      'SELECT max_training_deals FROM feature_build',
    );
    expect(build!.max_training_deals).toBe(100);
  });
});
