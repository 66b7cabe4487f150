/**
 * The deal-size and close-timing heads learn from the same closed history as the win model, where
 * long deals are under-represented (only deals closed by the cut are there): they get the win
 * model's censoring weights, taken at each split's end, and the refit on every closed deal gets
 * them taken at the holdout's end (win/censoring-weights.ts, heads/train.ts).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger } from '../../pipeline/base/log.ts';
import { DEAL_AGE_FEATURE } from '../../models/win/censoring-weights.ts';
import { DEFAULT_FIT } from '../../models/win/fit.ts';
import { DEFAULT_NETWORK } from '../../models/win/model.ts';
import { timeWeights } from '../../models/win/time-weights.ts';
import { readTrainingData } from '../../models/win/training-data.ts';
import { headInputsOf, prepareTrainingInputs, type TrainingInputs } from '../../models/win/training-inputs.ts';
import { createSyntheticTable, SIGNAL_FEATURES } from './synthetic-deals.ts';

describe('censoring weights for the deal-size and close-timing heads', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  let inputs: TrainingInputs;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await createSyntheticTable(conn, { table: 'features_train', deals: 400, observationsPerDeal: 2, seed: 3 });
    await createSyntheticTable(conn, {
      table: 'features_score',
      deals: 50,
      observationsPerDeal: 1,
      seed: 4,
      open: true,
    });
    // each deal lasts 60-459 days: its age at an observation is that minus the days it still had to go
    for (const table of ['features_train', 'features_score']) {
      await conn.run(`ALTER TABLE ${table} ADD COLUMN ${DEAL_AGE_FEATURE} DOUBLE`);
      await conn.run(
        `UPDATE ${table} SET ${DEAL_AGE_FEATURE} = 60 + hash(opportunity_id) % 400 - date_diff('day', as_of, expected_close_date)`,
      );
    }
    const training = await readTrainingData(conn, {
      table: 'features_train',
      featureNames: [...SIGNAL_FEATURES, DEAL_AGE_FEATURE],
      maxTrainingDeals: 150_000,
      holdoutFraction: 0.2,
      validationFraction: 0.15,
      minClassDeals: 20,
      log: quietLogger,
    });
    inputs = prepareTrainingInputs(training, {
      network: DEFAULT_NETWORK,
      fitConfig: DEFAULT_FIT,
      seed: 7,
      timeWeighting: true,
      censoringWeighting: true,
      log: quietLogger,
    });
  }, 60_000);
  afterAll(() => {
    conn?.closeSync();
    instance?.closeSync();
  });

  it("weigh each row as the win model's loss does", () => {
    const heads = headInputsOf(inputs, true);
    const fitRows = inputs.split.fit.rows;
    expect(Array.from(fitRows, (i) => heads.sampleWeights![i]!)).toEqual(Array.from(inputs.fitData.w!));
    const history = inputs.history.rows;
    expect(Array.from(history, (i) => heads.historyWeights![i]!)).toEqual(
      Array.from(inputs.historyMatrixOf(inputs.history).w!),
    );
  });

  it('weigh the long deals up against the deal-day weights alone', () => {
    const heads = headInputsOf(inputs, true);
    const plain = timeWeights(inputs.data);
    const age = inputs.data.features[inputs.data.featureNames.indexOf(DEAL_AGE_FEATURE)]!;
    // a row's deal lasted its age at the row plus the days it still had to go
    const byDuration = Array.from(inputs.split.fit.rows, (i) => ({
      duration: age[i]! + inputs.data.daysToClose[i]!,
      ratio: heads.sampleWeights![i]! / plain[i]!,
    })).sort((a, b) => a.duration - b.duration);
    const fifth = Math.floor(byDuration.length / 5);
    const mean = (list: { ratio: number }[]) => list.reduce((sum, x) => sum + x.ratio, 0) / list.length;
    expect(mean(byDuration.slice(-fifth))).toBeGreaterThan(1.2 * mean(byDuration.slice(0, fifth)));
  });
});
