/**
 * A model version on disk, `<modelsDir>/<version>/`:
 *   model.json + weights.bin   the network in the standard TensorFlow.js layers format
 *   preprocess.json            feature scaling, missing indicators, clip and calibration
 *   metadata.json              what was trained on what, how it scored, how long it took
 * Pure @tensorflow/tfjs has no file:// handler in Node (tfjs-node brings one), so the files are
 * written through tf.io.withSaveHandler and read back through tf.io.fromMemory.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
// types only at the top: listing models must not load TensorFlow.js; the functions that need it import it
import type * as tf from '@tensorflow/tfjs';
import type { HistorySample } from './data.ts';
import { WuweiError } from '../../pipeline/base/errors.ts';
import { quietLogger, type Logger } from '../../pipeline/base/log.ts';
import { selectBackend } from '../backend.ts';
import type { PlattScaling } from '../calibration.ts';
import type { CalibrationBin, ClassificationMetrics, LiftBin } from '../../pipeline/base/metrics.ts';
import type { AmountEvaluation, AmountHead } from '../heads/amount.ts';
import type { CloseEvaluation, CloseHead } from '../heads/close.ts';
import type { EpochRecord, FitConfig } from './fit.ts';
import type { FeatureImportance } from './importance.ts';
import type { WinNetworkConfig } from './model.ts';
import type { Preprocessing } from './preprocess.ts';

export interface SplitSummary {
  observations: number;
  deals: number;
  wonDeals: number;
  lostDeals: number;
  /** Close-date range of the split's deals (YYYY-MM-DD). */
  from: string | null;
  to: string | null;
}

export interface WinMetadata {
  format: 'wuwei-win-model-2';
  version: string;
  trainedAt: string;
  backend: string;
  seed: number;
  tfjsVersion: string;
  /** Numeric features (catalog features and numeric custom_ columns). */
  featureNames: string[];
  /** Categorical features (stage and text custom_ columns), one-hot encoded. */
  categoricalNames: string[];
  inputColumns: string[];
  network: WinNetworkConfig;
  training: FitConfig & {
    epochsRun: number;
    bestEpoch: number;
    bestValidationLoss: number;
    classWeights: { won: number; lost: number };
    history: EpochRecord[];
  };
  calibration: PlattScaling;
  /** Networks averaged (on the logit) in the win model, one per seed from `seed`. */
  ensembleSize: number;
  data: {
    table: string;
    /** Closed deals in the table and those the model was trained and judged on (a sample past models.maxTrainingDeals). */
    sample?: HistorySample;
    holdoutFraction: number;
    validationFraction: number;
    fit: SplitSummary;
    validation: SplitSummary;
    train: SplitSummary;
    holdout: SplitSummary;
  };
  metrics: {
    holdout: { model: ClassificationMetrics; baseline: ClassificationMetrics };
    validation: { model: ClassificationMetrics; baseline: ClassificationMetrics };
    /** Holdout reliability tables (10 bins) and lift by decile, model and baseline. */
    calibrationTable: { model: CalibrationBin[]; baseline: CalibrationBin[] };
    lift: { model: LiftBin[]; baseline: LiftBin[] };
  };
  amount?: HeadMetadata<AmountModelHead, AmountEvaluation>;
  close?: HeadMetadata<CloseModelHead, CloseEvaluation>;
  /** Fingerprint of the training table: the same data gives the same fingerprint. */
  dataFingerprint: string;
  featureImportance: FeatureImportance[];
  timings: {
    readSeconds: number;
    trainSeconds: number;
    evaluateSeconds: number;
    importanceSeconds: number;
    totalSeconds: number;
  };
}

/** A model ready to predict: the win network and, when trained, the deal-size and close-timing networks. */
export interface WinModel {
  version: string;
  path: string;
  network: tf.LayersModel;
  preprocessing: Preprocessing;
  metadata: WinMetadata;
  amount?: { network: tf.LayersModel; head: AmountModelHead };
  close?: { network: tf.LayersModel; head: CloseModelHead };
}

/** What turns the deal-size network's output into an amount: reference x exp(output + offset). */
export interface AmountModelHead extends AmountHead {
  offset: number;
}

/** What turns the close-timing network's output into a log-normal: mu = output + offset. */
export interface CloseModelHead extends CloseHead {
  offset: number;
}

/** A regression model's record in the metadata. */
export interface HeadMetadata<H, E> {
  head: H;
  network: WinNetworkConfig;
  training: FitConfig & { epochsRun: number; bestEpoch: number; bestValidationLoss: number; history: EpochRecord[] };
  data: { fitRows: number; validationRows: number; holdoutRows: number };
  holdout: E;
  trainSeconds: number;
}

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';
const PREPROCESS_FILE = 'preprocess.json';
const METADATA_FILE = 'metadata.json';

/**
 * Writes the model's folder under `modelsDir`, named by its version. The files go to a hidden
 * folder first and are renamed into place, so a reader never finds half a model.
 */
export async function saveModel(
  modelsDir: string,
  network: tf.LayersModel,
  preprocessing: Preprocessing,
  metadata: WinMetadata,
  heads: { amount?: tf.LayersModel; close?: tf.LayersModel } = {},
): Promise<string> {
  const target = resolve(modelsDir, metadata.version);
  if (existsSync(target)) throw new Error(`model folder ${target} already exists`);
  const partial = resolve(modelsDir, `.${metadata.version}.partial`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  await writeNetwork(partial, network);
  for (const [name, head] of Object.entries(heads)) {
    if (!head) continue;
    mkdirSync(join(partial, name));
    await writeNetwork(join(partial, name), head);
  }
  writeFileSync(join(partial, PREPROCESS_FILE), `${JSON.stringify(preprocessing, null, 2)}\n`);
  writeFileSync(join(partial, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
  renameSync(partial, target);
  return target;
}

/** Loads a model folder written by saveModel (selecting the TensorFlow.js backend first if needed). */
export async function loadModel(path: string, log: Logger = quietLogger): Promise<WinModel> {
  const folder = resolve(path);
  for (const file of [MODEL_FILE, PREPROCESS_FILE, METADATA_FILE]) {
    if (!existsSync(join(folder, file)))
      throw new WuweiError('no_model', `model folder ${folder} has no ${file}: train again (\`wuwei train\`)`);
  }
  await selectBackend(log);
  const network = await readNetwork(folder);
  const preprocessing = JSON.parse(readFileSync(join(folder, PREPROCESS_FILE), 'utf8')) as Preprocessing;
  const metadata = JSON.parse(readFileSync(join(folder, METADATA_FILE), 'utf8')) as WinMetadata;
  const model: WinModel = { version: metadata.version, path: folder, network, preprocessing, metadata };
  if (metadata.amount && existsSync(join(folder, 'amount', MODEL_FILE)))
    model.amount = { network: await readNetwork(join(folder, 'amount')), head: metadata.amount.head };
  if (metadata.close && existsSync(join(folder, 'close', MODEL_FILE)))
    model.close = { network: await readNetwork(join(folder, 'close')), head: metadata.close.head };
  return model;
}

/** Frees the networks' tensors. */
export function disposeModel(model: WinModel): void {
  model.network.dispose();
  model.amount?.network.dispose();
  model.close?.network.dispose();
}

/** model.json + weights.bin in the standard TensorFlow.js layers format. */
async function writeNetwork(folder: string, network: tf.LayersModel): Promise<void> {
  const tfjs = await import('@tensorflow/tfjs');
  await network.save(
    tfjs.io.withSaveHandler(async (artifacts) => {
      const weights = tfjs.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tfjs.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology as {},
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
      };
      writeFileSync(join(folder, MODEL_FILE), JSON.stringify(modelJson));
      writeFileSync(join(folder, WEIGHTS_FILE), new Uint8Array(weights));
      return { modelArtifactsInfo: tfjs.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

async function readNetwork(folder: string): Promise<tf.LayersModel> {
  const tfjs = await import('@tensorflow/tfjs');
  const modelJson = JSON.parse(readFileSync(join(folder, MODEL_FILE), 'utf8')) as tf.io.ModelJSON;
  const artifacts = await tfjs.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    // the weight files of every group, in manifest order, make one buffer
    const parts = manifest.flatMap((group) => group.paths.map((file) => readFileSync(join(folder, file))));
    const joined = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
    let offset = 0;
    for (const part of parts) {
      joined.set(part, offset);
      offset += part.byteLength;
    }
    return [tfjs.io.getWeightSpecs(manifest), joined.buffer];
  });
  return tfjs.loadLayersModel(tfjs.io.fromMemory(artifacts));
}

/** The folder a version lives in under `modelsDir`. */
export function versionFolder(modelsDir: string, version: string): string {
  return join(resolve(modelsDir), version);
}
