/**
 * A night that does not retrain builds only the open deals' features. They must be exactly the
 * full build's (the training observations are not an input to any scoring feature), and the
 * training table must be left as the last full build made it.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DuckDBConnection } from '../../pipeline/db.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { quietLogger } from '../../pipeline/log.ts';
import { loadInto, smallExport, TEST_AS_OF } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * Rows of a table, every column, in a stable order, as JSON text. Numbers to 12 significant digits:
 * DuckDB's parallel sums add in an order that depends on the rows around them (differences ~1e-16).
 */
async function contents(conn: DuckDBConnection, table: string): Promise<string> {
  const rows = await queryRows(conn, `SELECT * FROM ${table} ORDER BY ALL`);
  return JSON.stringify(rows, (_, value) => (typeof value === 'bigint' ? value.toString() : typeof value === 'number' ? Number(value.toPrecision(12)) : value));
}

describe('scoring-only feature build', () => {
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
    const full = await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger });
    expect(full.training).toBe(true);
    const fullScore = await contents(conn, 'features_score');
    const fullTrain = await contents(conn, 'features_train');
    const [fullBuild] = await queryRows<{ training: boolean; closed_won: number; closed_lost: number }>(conn, 'SELECT training, closed_won, closed_lost FROM feature_build');

    // a scoring-only build after the training table was deleted row by row: it must not be rebuilt
    await conn.run('CREATE TABLE kept AS SELECT * FROM features_train');
    await conn.run('DELETE FROM features_train WHERE opportunity_id IN (SELECT opportunity_id FROM features_train ORDER BY opportunity_id LIMIT 10)');
    const partialTrain = await contents(conn, 'features_train');
    const scoring = await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger, training: false });

    expect(scoring.training).toBe(false);
    expect(await contents(conn, 'features_score')).toBe(fullScore);
    expect(await contents(conn, 'features_train')).toBe(partialTrain);
    expect(partialTrain).not.toBe(fullTrain);
    const [scoringBuild] = await queryRows<{ training: boolean; closed_won: number; closed_lost: number }>(conn, 'SELECT training, closed_won, closed_lost FROM feature_build');
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
});
