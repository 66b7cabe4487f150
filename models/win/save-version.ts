/**
 * Training step 7, the record: the model folder (networks, preprocessing, metadata) named by a version
 * that sorts by time, and the registry rows that make it listable and, when promoted, active.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { calibrationTable, liftByDecile } from '../../pipeline/base/metrics.ts';
import type { BackendName } from '../backend.ts';
import type { trainAmountModel, trainCloseModel } from '../heads/train.ts';
import { saveModel, type SplitSummary, type WinMetadata } from './artifacts.ts';
import type { ClosedObservations } from './data.ts';
import type { HoldoutVerdict } from './holdout-verdict.ts';
import type { FeatureImportance } from './importance.ts';
import { inputColumnNames } from './preprocess.ts';
import { registerModelVersion } from './registry.ts';
import { dayToIsoDate, type SplitPart } from './split.ts';
import type { EnsembleFit, Networks } from './train-ensemble.ts';
import { splitFacts, type TrainingData } from './training-data.ts';
import type { TrainingInputs } from './training-inputs.ts';

/** What one training found, as the model folder and the registry keep it. */
export interface TrainedVersion {
  backend: BackendName;
  seed: number;
  table: string;
  holdoutFraction: number;
  validationFraction: number;
  ensembleSize: number;
  training: TrainingData;
  inputs: TrainingInputs;
  fit: EnsembleFit;
  verdict: HoldoutVerdict;
  importances: FeatureImportance[];
  amount: Awaited<ReturnType<typeof trainAmountModel>>;
  close: Awaited<ReturnType<typeof trainCloseModel>>;
  active: boolean;
  /** Seconds spent in each step, and in all (the metadata keeps them). */
  timings: {
    readSeconds: number;
    trainSeconds: number;
    evaluateSeconds: number;
    importanceSeconds: number;
    totalSeconds: number;
  };
}

export async function saveVersion(
  conn: DuckDBConnection,
  modelsDir: string,
  networks: Networks,
  trained: TrainedVersion,
): Promise<{ version: string; path: string }> {
  const { training, inputs, verdict, amount, close, seed, backend } = trained;
  const { data, split, train } = training;
  const { preprocessing, holdoutData } = inputs;
  const model = networks.model!;
  const trainedAt = new Date().toISOString();
  const version = versionName(trainedAt, model, preprocessing);
  const metadata: WinMetadata = {
    format: 'wuwei-win-model-2',
    version,
    trainedAt,
    backend,
    seed,
    tfjsVersion: tf.version.tfjs,
    featureNames: data.featureNames,
    categoricalNames: data.categoricalNames,
    inputColumns: inputColumnNames(preprocessing),
    network: inputs.network,
    training: { ...inputs.fitConfig, ...trained.fit.fitted },
    calibration: preprocessing.calibration,
    ensembleSize: trained.ensembleSize,
    data: {
      table: trained.table,
      sample: data.sample,
      holdoutFraction: trained.holdoutFraction,
      validationFraction: trained.validationFraction,
      fit: summary(split.fit),
      validation: summary(split.validation),
      train: summary(train),
      holdout: summary(split.holdout),
    },
    metrics: {
      holdout: { model: verdict.holdout.model, baseline: verdict.holdout.baseline },
      validation: verdict.validation,
      calibrationTable: {
        model: calibrationTable(verdict.holdoutProbabilities, holdoutData.y),
        baseline: calibrationTable(verdict.holdoutBaseline, holdoutData.y),
      },
      lift: {
        model: liftByDecile(verdict.holdoutProbabilities, holdoutData.y),
        baseline: liftByDecile(verdict.holdoutBaseline, holdoutData.y),
      },
    },
    ...(amount ? { amount: amount.metadata } : {}),
    ...(close ? { close: close.metadata } : {}),
    dataFingerprint: fingerprint(data),
    featureImportance: trained.importances,
    timings: trained.timings,
  };
  const heads = {
    ...(networks.amount ? { amount: networks.amount } : {}),
    ...(networks.close ? { close: networks.close } : {}),
  };
  const path = await saveModel(modelsDir, model, preprocessing, metadata, heads);
  await registerModelVersion(
    conn,
    {
      version,
      trainedAt,
      backend,
      seed,
      ...splitFacts(training),
      model: verdict.holdout.model,
      baseline: verdict.holdout.baseline,
      trainSeconds: trained.timings.trainSeconds,
      path,
      amount: amount?.metadata.holdout ?? null,
      close: close?.metadata.holdout ?? null,
    },
    verdict.holdout.curves,
    trained.importances,
    trained.active,
  );
  return { version, path };
}

/** `win-YYYYMMDDTHHMMSS-<7 hex>`: sortable by time; the hash of the weights, preprocessing and time tells same-second runs apart. */
function versionName(trainedAt: string, model: tf.LayersModel, preprocessing: object): string {
  const hash = createHash('sha256');
  for (const weight of model.getWeights()) {
    const values = weight.dataSync();
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  hash.update(JSON.stringify(preprocessing));
  hash.update(trainedAt);
  const stamp = trainedAt.replace(/[-:]/g, '').slice(0, 15);
  return `win-${stamp}-${hash.digest('hex').slice(0, 7)}`;
}

/** sha256 over every array read from the training table, in order: same data, same fingerprint. */
function fingerprint(data: ClosedObservations): string {
  const hash = createHash('sha256');
  const add = (values: Float32Array | Float64Array) =>
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  hash.update(data.opportunityIds.join('\n'));
  hash.update(JSON.stringify([data.featureNames, data.categoricalNames, data.categories]));
  const columns = [
    data.labels,
    data.closeDays,
    data.daysToClose,
    data.finalAmount,
    data.stageProbability,
    data.repAmount,
    data.repCloseDays,
  ];
  for (const column of [...columns, ...data.features]) add(column);
  return hash.digest('hex');
}

function summary(part: SplitPart): SplitSummary {
  return {
    observations: part.rows.length,
    deals: part.deals,
    wonDeals: part.wonDeals,
    lostDeals: part.lostDeals,
    from: dayToIsoDate(part.fromDay),
    to: dayToIsoDate(part.toDay),
  };
}
