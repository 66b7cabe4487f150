import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../pipeline/base/db.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { auc, loadActiveModel, loadModel, predictWin, trainWinModel, type TrainResult } from '../../models/index.ts';
import { predictLogits } from '../../models/win/predict.ts';
import { tempDir } from '../helpers/temp.ts';
import { createSyntheticTable, SIGNAL_FEATURES } from './synthetic-deals.ts';

// Small and quick: 1000 deals x 3 observations, a few epochs.
// not refitted after the verdict: the saved networks are the ones the holdout judged (refit-on-history.test.ts covers the refit)
const TRAINING = {
  featureNames: SIGNAL_FEATURES,
  seed: 7,
  epochs: 25,
  patience: 5,
  batchSize: 128,
  refitOnHistory: false,
  log: quietLogger,
};

describe('win model on a planted signal', () => {
  const tmp = tempDir('wuwei-models-');
  const modelsDir = join(tmp.dir, 'models');
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  let first: TrainResult;
  let second: TrainResult;
  let firstSeconds = 0;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await createSyntheticTable(conn, { table: 'features_train', deals: 1000, observationsPerDeal: 3, seed: 1 });
    await createSyntheticTable(conn, {
      table: 'features_score',
      deals: 50,
      observationsPerDeal: 1,
      seed: 2,
      open: true,
    });
    const start = performance.now();
    first = await trainWinModel(conn, { ...TRAINING, modelsDir });
    firstSeconds = (performance.now() - start) / 1000;
    second = await trainWinModel(conn, { ...TRAINING, modelsDir });
  });
  afterAll(() => {
    conn?.closeSync();
    instance?.closeSync();
    tmp.cleanup();
  });

  it('records the backend that ran: tfjs-node when it loads, else wasm (cpu would mean the wasm files were not found)', () => {
    expect(['tensorflow', 'wasm']).toContain(first.backend);
  });

  it('splits by deal and close date: the holdout is the most recent ~20% of deals', () => {
    expect(first.nTrainDeals + first.nHoldoutDeals).toBe(1000);
    expect(first.nTrainObs + first.nHoldoutObs).toBe(3000);
    expect(first.nHoldoutDeals / 1000).toBeCloseTo(0.2, 1);
    expect(first.trainTo! < first.holdoutFrom!).toBe(true);
  });

  it('beats the stage baseline on the holdout and comes close to the oracle', async () => {
    // the oracle: the true probabilities that generated the outcomes, on the same holdout rows
    const [oracle] = await queryRows<{ n: number; won: number }>(
      conn,
      `SELECT count(*)::INTEGER AS n, sum(label_won)::INTEGER AS won FROM features_train WHERE final_close_date >= DATE '${first.holdoutFrom}'`,
    );
    const rows = await queryRows<{ oracle: number; label_won: number }>(
      conn,
      `SELECT oracle, label_won FROM features_train WHERE final_close_date >= DATE '${first.holdoutFrom}'`,
    );
    const oracleAuc = auc(
      rows.map((r) => r.oracle),
      rows.map((r) => r.label_won),
    );
    const { metrics } = first;
    console.info(
      `planted signal, holdout of ${oracle!.n} observations (${first.nHoldoutDeals} deals): AUC model ${metrics.auc.toFixed(3)}, ` +
        `stage baseline ${metrics.baselineAuc.toFixed(3)}, oracle ${oracleAuc.toFixed(3)}; log loss ${metrics.logLoss.toFixed(3)} ` +
        `(baseline ${metrics.baselineLogLoss.toFixed(3)}), ECE ${metrics.ece.toFixed(3)}; ${first.epochsRun} epochs on ${first.backend}, ` +
        `training loop ${first.trainSeconds.toFixed(2)} s, whole trainWinModel ${firstSeconds.toFixed(2)} s`,
    );
    // on data seeds 1-6 the model landed 0.015-0.031 under the oracle (the features see the traits with
    // noise, 5% of one is missing) and 0.20-0.27 over the baseline; ECE was 0.045-0.086 on 600 rows
    expect(metrics.auc).toBeGreaterThan(metrics.baselineAuc + 0.1);
    expect(metrics.auc).toBeGreaterThan(oracleAuc - 0.05);
    expect(metrics.auc).toBeLessThan(oracleAuc + 0.01);
    expect(metrics.logLoss).toBeLessThan(metrics.baselineLogLoss);
    expect(metrics.ece).toBeLessThan(0.12);
  });

  it('gives the same metrics for the same seed on the same backend', () => {
    expect(second.metrics).toEqual(first.metrics);
    expect(second.bestEpoch).toBe(first.bestEpoch);
    expect(second.version).not.toBe(first.version);
  });

  it('ranks the planted features first in permutation importance', () => {
    expect(
      first.topFeatures
        .slice(0, 2)
        .map((f) => f.feature)
        .sort(),
    ).toEqual(['signal_down', 'signal_up']);
    expect(first.topFeatures.at(-1)!.importance).toBeLessThan(0.01);
  });

  it('registers every version, the newest active, with curves and importances', async () => {
    const versions = await queryRows<{
      version: string;
      active: boolean;
      backend: string;
      seed: number;
      auc: number;
      n_holdout_deals: number;
    }>(conn, 'SELECT version, active, backend, seed, auc, n_holdout_deals FROM model_versions ORDER BY trained_at');
    expect(versions.map((v) => [v.version, v.active])).toEqual([
      [first.version, false],
      [second.version, true],
    ]);
    expect(versions[1]).toMatchObject({
      backend: first.backend,
      seed: 7,
      auc: first.metrics.auc,
      n_holdout_deals: first.nHoldoutDeals,
    });
    const curves = await queryRows<{ model: string; curve: string; points: number; observations: number | null }>(
      conn,
      `SELECT model, curve, count(*)::INTEGER AS points, sum(n)::INTEGER AS observations FROM model_curves WHERE version = '${second.version}' GROUP BY ALL ORDER BY ALL`,
    );
    expect(curves.map((c) => `${c.model}/${c.curve}`)).toEqual([
      'stage_baseline/calibration',
      'stage_baseline/roc',
      'wuwei/calibration',
      'wuwei/roc',
    ]);
    for (const c of curves) {
      if (c.curve === 'roc') expect(c.points).toBeLessThanOrEqual(200);
      else expect(c.observations).toBe(second.nHoldoutObs);
    }
    const [importance] = await queryRows<{ n: number }>(
      conn,
      `SELECT count(*)::INTEGER AS n FROM model_feature_importance WHERE version = '${second.version}'`,
    );
    expect(importance!.n).toBe(SIGNAL_FEATURES.length + 1); // and the categorical stage
  });

  it('writes the model folder: tfjs model.json + weights.bin, preprocess.json, metadata.json', () => {
    for (const file of ['model.json', 'weights.bin', 'preprocess.json', 'metadata.json'])
      expect(existsSync(join(first.path, file)), file).toBe(true);
    const modelJson = JSON.parse(readFileSync(join(first.path, 'model.json'), 'utf8'));
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    const metadata = JSON.parse(readFileSync(join(first.path, 'metadata.json'), 'utf8'));
    expect(metadata).toMatchObject({
      version: first.version,
      backend: first.backend,
      seed: 7,
      featureNames: SIGNAL_FEATURES,
    });
    expect(metadata.inputColumns).toContain('signal_down__missing');
    expect(metadata.data.holdout).toMatchObject({ deals: first.nHoldoutDeals, from: first.holdoutFrom });
  });

  it('reloads to the same predictions: the holdout AUC recomputed from the saved files matches', async () => {
    const model = await loadModel(first.path);
    await conn.run(
      `CREATE OR REPLACE VIEW holdout AS SELECT * FROM features_train WHERE final_close_date >= DATE '${first.holdoutFrom}'`,
    );
    const predictions = await predictWin(model, conn, 'holdout');
    const labels = await queryRows<{ label_won: number }>(
      conn,
      'SELECT label_won FROM holdout ORDER BY opportunity_id, as_of',
    );
    expect(predictions.probabilities).toBeInstanceOf(Float32Array);
    expect(
      auc(
        predictions.probabilities,
        labels.map((r) => r.label_won),
      ),
    ).toBeCloseTo(first.metrics.auc, 10);

    // and a second load of the same folder predicts bit for bit the same logits
    const again = await loadModel(first.path);
    const matrix = new Float32Array(model.metadata.inputColumns.length * 10).map((_, i) => Math.sin(i));
    expect(await predictLogits(again.network, matrix, model.metadata.inputColumns.length)).toEqual(
      await predictLogits(model.network, matrix, model.metadata.inputColumns.length),
    );
  });

  it('scores open deals with the active model', async () => {
    const model = await loadActiveModel(conn, modelsDir);
    expect(model?.version).toBe(second.version);
    const { opportunityIds, probabilities } = await predictWin(model!, conn);
    expect(opportunityIds).toHaveLength(50);
    expect(new Set(opportunityIds).size).toBe(50);
    expect(probabilities.every((p) => p > 0 && p < 1)).toBe(true);
  });
});

describe('win model refuses to train without enough data', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const tmp = tempDir('wuwei-models-');
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
  });
  afterAll(() => {
    conn?.closeSync();
    instance?.closeSync();
    tmp.cleanup();
  });

  it('when the feature table is missing', async () => {
    await expect(trainWinModel(conn, { ...TRAINING, modelsDir: tmp.dir })).rejects.toMatchObject({
      name: 'WuweiError',
      code: 'not_enough_data',
      message: expect.stringMatching(/features_train does not exist/),
    });
    expect(await loadActiveModel(conn, tmp.dir)).toBeNull();
  });

  it('when there are fewer than 40 won (or lost) closed deals', async () => {
    await createSyntheticTable(conn, {
      table: 'features_train',
      deals: 300,
      observationsPerDeal: 2,
      seed: 3,
      wonDeals: 39,
    });
    await expect(trainWinModel(conn, { ...TRAINING, modelsDir: tmp.dir })).rejects.toMatchObject({
      code: 'not_enough_data',
      message: expect.stringMatching(/39 won and 261 lost closed deals; training needs at least 40 of each/),
    });
    await expect(trainWinModel(conn, { ...TRAINING, modelsDir: tmp.dir, minClassDeals: 60 })).rejects.toMatchObject({
      code: 'not_enough_data',
    });
  });

  it('when a feature column is absent', async () => {
    await expect(
      trainWinModel(conn, { ...TRAINING, featureNames: [...SIGNAL_FEATURES, 'no_such_feature'], modelsDir: tmp.dir }),
    ).rejects.toMatchObject({
      code: 'bad_input',
      message: expect.stringMatching(/lacks column\(s\) no_such_feature/),
    });
  });
});
