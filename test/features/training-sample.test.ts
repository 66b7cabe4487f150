/**
 * On a long history the feature build observes at most `maxTrainingDeals` closed deals for training
 * (the sample the models read), so the training table stays bounded; the open deals are untouched.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DuckDBConnection } from '../../pipeline/db.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { quietLogger } from '../../pipeline/log.ts';
import { loadInto, smallExport, TEST_AS_OF } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

async function deals(conn: DuckDBConnection, table: string): Promise<string[]> {
  return (await queryRows<{ id: string }>(conn, `SELECT DISTINCT opportunity_id AS id FROM ${table} ORDER BY id`)).map((r) => r.id);
}

describe('training sample in the feature build', () => {
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
    const [build] = await queryRows<{ max_training_deals: number }>(conn, 'SELECT max_training_deals FROM feature_build');
    expect(build!.max_training_deals).toBe(100);
  });
});
