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
import * as tf from '@tensorflow/tfjs';
import { WuweiError } from '../../pipeline/errors.ts';
import { quietLogger, type Logger } from '../../pipeline/log.ts';
import { selectBackend } from '../backend.ts';
import type { PlattScaling } from '../calibration.ts';
import type { ClassificationMetrics } from '../metrics.ts';
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
  format: 'wuwei-win-model-1';
  version: string;
  trainedAt: string;
  backend: string;
  seed: number;
  tfjsVersion: string;
  featureNames: string[];
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
  data: {
    table: string;
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
  };
  featureImportance: FeatureImportance[];
  timings: { readSeconds: number; trainSeconds: number; evaluateSeconds: number; importanceSeconds: number; totalSeconds: number };
}

/** A model ready to predict. */
export interface WinModel {
  version: string;
  path: string;
  network: tf.LayersModel;
  preprocessing: Preprocessing;
  metadata: WinMetadata;
}

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';
const PREPROCESS_FILE = 'preprocess.json';
const METADATA_FILE = 'metadata.json';

/**
 * Writes the model's folder under `modelsDir`, named by its version. The files go to a hidden
 * folder first and are renamed into place, so a reader never finds half a model.
 */
export async function saveModel(modelsDir: string, network: tf.LayersModel, preprocessing: Preprocessing, metadata: WinMetadata): Promise<string> {
  const target = resolve(modelsDir, metadata.version);
  if (existsSync(target)) throw new Error(`model folder ${target} already exists`);
  const partial = resolve(modelsDir, `.${metadata.version}.partial`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  await network.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology as {},
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
      };
      writeFileSync(join(partial, MODEL_FILE), JSON.stringify(modelJson));
      writeFileSync(join(partial, WEIGHTS_FILE), new Uint8Array(weights));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  writeFileSync(join(partial, PREPROCESS_FILE), `${JSON.stringify(preprocessing, null, 2)}\n`);
  writeFileSync(join(partial, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
  renameSync(partial, target);
  return target;
}

/** Loads a model folder written by saveModel (selecting the TensorFlow.js backend first if needed). */
export async function loadModel(path: string, log: Logger = quietLogger): Promise<WinModel> {
  const folder = resolve(path);
  for (const file of [MODEL_FILE, PREPROCESS_FILE, METADATA_FILE]) {
    if (!existsSync(join(folder, file))) throw new WuweiError('no_model', `model folder ${folder} has no ${file}: train again (\`wuwei train\`)`);
  }
  await selectBackend(log);
  const modelJson = JSON.parse(readFileSync(join(folder, MODEL_FILE), 'utf8')) as tf.io.ModelJSON;
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    // the weight files of every group, in manifest order, make one buffer
    const parts = manifest.flatMap((group) => group.paths.map((file) => readFileSync(join(folder, file))));
    const joined = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
    let offset = 0;
    for (const part of parts) {
      joined.set(part, offset);
      offset += part.byteLength;
    }
    return [tf.io.getWeightSpecs(manifest), joined.buffer];
  });
  const network = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const preprocessing = JSON.parse(readFileSync(join(folder, PREPROCESS_FILE), 'utf8')) as Preprocessing;
  const metadata = JSON.parse(readFileSync(join(folder, METADATA_FILE), 'utf8')) as WinMetadata;
  return { version: metadata.version, path: folder, network, preprocessing, metadata };
}

/** The folder a version lives in under `modelsDir`. */
export function versionFolder(modelsDir: string, version: string): string {
  return join(resolve(modelsDir), version);
}
