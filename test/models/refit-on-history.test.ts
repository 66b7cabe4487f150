/**
 * The model that scores has seen the holdout: once the holdout has judged the recipe, the cross-fitted
 * model is refitted on every closed deal (models/win/calibrate-model.ts refitOnHistory). On a planted
 * signal whose most recent closes (the holdout) won more often than the same traits did before, as
 * when accounts become customers, the refitted model scores the same open deals higher than the one
 * trained without the holdout, and the deal-size head (refitted the same way) books them at the recent
 * amounts; the verdict (judged before the refit) is the same either way. Larger histories (calibration
 * on the validation split, forced here with calibrationFolds: 0) keep the network and refit its Platt
 * scaling on the validation and holdout closes, and the deal-size head's level: the same open deals
 * score higher and book larger there too.
 */
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger } from '../../pipeline/base/log.ts';
import { predictOpenDeals } from '../../models/predict-open.ts';
import { loadModel } from '../../models/win/artifacts.ts';
import { predictWin } from '../../models/win/predict.ts';
import { trainWinModel, type TrainResult } from '../../models/win/train.ts';
import { tempDir } from '../helpers/temp.ts';
import { createSyntheticTable, SIGNAL_FEATURES } from './synthetic-deals.ts';

const TRAINING = {
  featureNames: SIGNAL_FEATURES,
  seed: 7,
  epochs: 6,
  patience: 3,
  batchSize: 128,
  force: true,
  log: quietLogger,
};

describe('refit on every closed deal once judged', () => {
  const tmp = tempDir('wuwei-refit-');
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  let judgedOnly: TrainResult;
  let refitted: TrainResult;
  let validationCalibrated: TrainResult;
  let recalibrated: TrainResult;
  let validationCalibratedAmount = 0;
  let recalibratedAmount = 0;
  let judgedOnlyAmount: number;
  let refittedAmount: number;
  const meanExpectedAmount = async (modelsDir: string) => {
    const { expectedAmounts } = await predictOpenDeals(conn, { modelsDir, explain: false, log: quietLogger });
    return Array.from(expectedAmounts!).reduce((sum, a) => sum + a, 0) / expectedAmounts!.length;
  };
  const meanScore = async (trained: TrainResult) => {
    const { probabilities } = await predictWin(await loadModel(trained.path), conn);
    return probabilities.reduce((sum, p) => sum + p, 0) / probabilities.length;
  };

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await createSyntheticTable(conn, { table: 'features_train', deals: 600, observationsPerDeal: 2, seed: 3 });
    await createSyntheticTable(conn, {
      table: 'features_score',
      deals: 200,
      observationsPerDeal: 1,
      seed: 4,
      open: true,
    });
    // the latest fifth of the closes: every other lost deal won instead (the win rate drifted up)
    await conn.run(`
      UPDATE features_train SET label_won = 1, final_amount = amount
      WHERE label_won = 0 AND hash(opportunity_id) % 2 = 0
        AND final_close_date >= (SELECT quantile_disc(final_close_date, 0.8) FROM features_train)`);
    // and those closes' deals were won at twice the amounts the same traits won before
    await conn.run(`
      UPDATE features_train SET final_amount = 2 * final_amount
      WHERE label_won = 1 AND final_close_date >= (SELECT quantile_disc(final_close_date, 0.8) FROM features_train)`);
    // each training makes its version active (force), so the open deals are scored right after it
    judgedOnly = await trainWinModel(conn, { ...TRAINING, modelsDir: join(tmp.dir, 'a'), refitOnHistory: false });
    judgedOnlyAmount = await meanExpectedAmount(join(tmp.dir, 'a'));
    refitted = await trainWinModel(conn, { ...TRAINING, modelsDir: join(tmp.dir, 'b') });
    refittedAmount = await meanExpectedAmount(join(tmp.dir, 'b'));
    const large = { ...TRAINING, calibrationFolds: 0 };
    validationCalibrated = await trainWinModel(conn, {
      ...large,
      modelsDir: join(tmp.dir, 'c'),
      refitOnHistory: false,
    });
    validationCalibratedAmount = await meanExpectedAmount(join(tmp.dir, 'c'));
    recalibrated = await trainWinModel(conn, { ...large, modelsDir: join(tmp.dir, 'd') });
    recalibratedAmount = await meanExpectedAmount(join(tmp.dir, 'd'));
  }, 300_000);
  afterAll(() => {
    conn?.closeSync();
    instance?.closeSync();
    tmp.cleanup();
  });

  it('judges the same recipe on the same holdout either way', () => {
    expect(refitted.holdoutFrom).toBe(judgedOnly.holdoutFrom);
    expect(refitted.metrics.auc).toBeCloseTo(judgedOnly.metrics.auc, 10);
  });

  it('scores the open deals at the recent, higher win rate', async () => {
    const before = await meanScore(judgedOnly);
    const after = await meanScore(refitted);
    expect(after).toBeGreaterThan(before + 0.05); // measured 0.43 -> 0.53
  });

  it('past the cross-fitting size, recalibrates on the recent closes: the same network, judged the same, scores higher', async () => {
    expect(recalibrated.metrics.auc).toBeCloseTo(validationCalibrated.metrics.auc, 10);
    const before = await meanScore(validationCalibrated);
    const after = await meanScore(recalibrated);
    expect(after).toBeGreaterThan(before + 0.03); // measured 0.41 -> 0.61
  });

  it('past the cross-fitting size, relevels the deal-size head on the recent closes: the recent, larger amounts', () => {
    expect(recalibratedAmount).toBeGreaterThan(1.1 * validationCalibratedAmount); // measured 30k -> 51k
  });

  it('books the open deals at the recent, larger amounts: the deal-size head is refitted too', () => {
    expect(refittedAmount).toBeGreaterThan(1.1 * judgedOnlyAmount);
  });
});
