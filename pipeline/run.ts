import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from './log.ts';
import type { RunPaths } from './paths.ts';
import { featuresStage, loadStage, reportStage, scoreStage, trainStage } from './stages.ts';

export interface RunOptions {
  source: string;
  asOf?: string;
  maxRejectRate?: number;
  seed?: number;
  log: Logger;
}

interface StageRecord {
  seconds: number;
  summary: unknown;
}

export interface RunRecord {
  startedAt: string;
  finishedAt: string;
  outcome: 'succeeded' | 'failed';
  error?: string;
  paths: RunPaths;
  inputs: { file: string; bytes: number; modified: string }[];
  stages: Record<string, StageRecord>;
  recordFile: string;
}

/**
 * The nightly run: load -> features -> train -> score -> report, each timed. Whatever happens, a run
 * record (inputs, counts, model version, metrics, timings, outcome) is written under the runs folder.
 */
export async function runPipeline(paths: RunPaths, options: RunOptions): Promise<RunRecord> {
  const startedAt = new Date();
  mkdirSync(paths.runs, { recursive: true });
  const record: RunRecord = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    outcome: 'failed',
    paths,
    inputs: describeInputs(options.source),
    stages: {},
    recordFile: join(paths.runs, `${startedAt.toISOString().replaceAll(':', '-')}.json`),
  };
  const stage = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    options.log.info(`${name}: started`);
    const summary = await work();
    const seconds = (performance.now() - start) / 1000;
    record.stages[name] = { seconds, summary };
    options.log.info(`${name}: done in ${seconds.toFixed(1)} s`);
    return summary;
  };
  try {
    const loaded = await stage('load', () => loadStage(paths, { source: options.source, log: options.log, ...(options.asOf ? { asOf: options.asOf } : {}), ...(options.maxRejectRate !== undefined ? { maxRejectRate: options.maxRejectRate } : {}) }));
    await stage('features', () => featuresStage(paths, { asOf: loaded.asOf, log: options.log }));
    await stage('train', () => trainStage(paths, { log: options.log, ...(options.seed !== undefined ? { seed: options.seed } : {}) }));
    await stage('score', () => scoreStage(paths, { log: options.log }));
    await stage('report', () => reportStage(paths, { log: options.log }));
    record.outcome = 'succeeded';
    return record;
  } catch (error) {
    record.error = error instanceof Error ? error.message : String(error);
    throw error;
  } finally {
    record.finishedAt = new Date().toISOString();
    writeFileSync(record.recordFile, `${JSON.stringify(record, null, 2)}\n`);
  }
}

function describeInputs(source: string): RunRecord['inputs'] {
  try {
    return readdirSync(source)
      .filter((file) => /\.(csv|parquet|json|ndjson)$/.test(file) && file !== 'ground_truth.csv')
      .sort()
      .map((file) => {
        const stat = statSync(join(source, file));
        return { file: join(source, file), bytes: stat.size, modified: stat.mtime.toISOString() };
      });
  } catch {
    return [];
  }
}
