import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { readClosedObservations } from '../../models/win/data.ts';
import { createSyntheticTable, SIGNAL_FEATURES } from './synthetic-deals.ts';

// Training on a large export reads a sample of closed deals (models.maxTrainingDeals): whole deals,
// the same ones every night, spread over the whole history rather than its oldest or newest part.
describe('sampled training history', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await createSyntheticTable(conn, { table: 'features_train', deals: 1_000, observationsPerDeal: 4, seed: 3 });
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  it('reads every closed deal when the history is within the cap', async () => {
    const all = await readClosedObservations(conn, 'features_train', SIGNAL_FEATURES, { maxDeals: 1_000 });
    expect(all.sample).toEqual({ closedDeals: 1_000, sampledDeals: 1_000 });
    expect(all.rowCount).toBe(4_000);
  });

  it('reads exactly maxDeals deals with all their observations, the same ones every time', async () => {
    const first = await readClosedObservations(conn, 'features_train', SIGNAL_FEATURES, { maxDeals: 300 });
    const again = await readClosedObservations(conn, 'features_train', SIGNAL_FEATURES, { maxDeals: 300 });
    expect(first.sample).toEqual({ closedDeals: 1_000, sampledDeals: 300 });
    expect(new Set(first.opportunityIds).size).toBe(300);
    expect(first.rowCount).toBe(1_200);
    expect(again.opportunityIds).toEqual(first.opportunityIds);
  });

  it('spreads the sample over the whole history: each third of the close dates keeps about its share', async () => {
    const all = await readClosedObservations(conn, 'features_train', SIGNAL_FEATURES);
    const sampled = await readClosedObservations(conn, 'features_train', SIGNAL_FEATURES, { maxDeals: 300 });
    const first = all.closeDays[0]!;
    const span = all.closeDays[all.rowCount - 1]! - first + 1;
    const thirds = [0, 0, 0];
    for (let i = 0; i < sampled.rowCount; i += 4)
      thirds[Math.floor((3 * (sampled.closeDays[i]! - first)) / span)]! += 1;
    for (const count of thirds) expect(count).toBeGreaterThan(70); // 100 expected per third; the oldest or newest 300 would leave a third at 0
  });
});
