import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { WuweiError } from '../base/errors.ts';
import { join } from 'node:path';
import type { WuweiConfig } from '../config/config.ts';
import { defaultConfig } from '../config/config.ts';
import type { Logger } from '../base/log.ts';
import type { RunPaths } from '../config/paths.ts';
import type { FeatureSummary } from '../features/build.ts';
import type { LoadOptions } from '../load/index.ts';

/** The load's options as the command line gives them (see LoadOptions), and the night's own. */
export interface RunOptions
  extends Pick<
    LoadOptions,
    'source' | 'layout' | 'mapping' | 'reportingCurrency' | 'asOf' | 'maxRejectRate' | 'configMaxRejectRate'
  > {
  seed?: number;
  /** Train tonight whatever the retraining policy says. */
  retrain?: boolean;
  config?: WuweiConfig;
  configFile?: string | null;
  /** Build the report site (default true). */
  report?: boolean;
  log: Logger;
}

interface StageRecord {
  seconds: number;
  summary: unknown;
}

export interface InputRecord {
  file: string;
  bytes: number;
  modified: string;
  /** SHA-256 of the file's bytes: the same fingerprint means the same input. */
  sha256: string;
}

export interface RunRecord {
  startedAt: string;
  finishedAt: string;
  outcome: 'succeeded' | 'failed';
  error?: string;
  /** The stage that was running when the run failed. */
  failedStage?: string;
  asOf?: string;
  configFile: string | null;
  paths: RunPaths;
  inputs: InputRecord[];
  rowCounts: Record<string, number>;
  rejects: Record<string, number>;
  retrain?: { due: boolean; reason: string };
  modelVersion?: string;
  metrics?: unknown;
  /** What the feature build warned of: export columns left out (leakage), dead inputs, train/serve skew, flat history. */
  featureChecks?: Pick<FeatureSummary, 'dealState' | 'deadFeatures'> & {
    leftOut: Record<string, string>;
    skew: string[];
  };
  stages: Record<string, StageRecord>;
  recordFile: string;
}

/**
 * The nightly run: load -> features -> train when due -> score -> forecast -> report, each timed.
 * Whatever happens, a run record (inputs with fingerprints, row counts, rejects, model version,
 * metrics, timings, outcome and the failing stage) is written under the runs folder.
 */
export async function runPipeline(paths: RunPaths, options: RunOptions): Promise<RunRecord> {
  // imported here, not at the top: `wuwei runs` reads run records without loading the stages
  const {
    featuresStage,
    forecastStage,
    loadStage,
    movesStage,
    reportStage,
    retrainDecisionStage,
    scoreStage,
    trainStage,
  } = await import('./stages.ts');
  const config = options.config ?? defaultConfig();
  const startedAt = new Date();
  mkdirSync(paths.runs, { recursive: true });
  const record: RunRecord = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    outcome: 'failed',
    configFile: options.configFile ?? null,
    paths,
    inputs: await describeInputs(options.source),
    rowCounts: {},
    rejects: {},
    stages: {},
    recordFile: join(paths.runs, `${startedAt.toISOString().replaceAll(':', '-')}.json`),
  };
  let running = '';
  const stage = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    running = name;
    const start = performance.now();
    options.log.info(`${name}: started`);
    const summary = await work();
    const seconds = (performance.now() - start) / 1000;
    record.stages[name] = { seconds, summary };
    options.log.info(`${name}: done in ${seconds.toFixed(1)} s`);
    return summary;
  };
  try {
    const loaded = await stage('load', () =>
      loadStage(paths, {
        source: options.source,
        log: options.log,
        ...(options.asOf ? { asOf: options.asOf } : {}),
        ...(options.layout ? { layout: options.layout } : {}),
        ...(options.mapping ? { mapping: options.mapping } : {}),
        ...(options.reportingCurrency ? { reportingCurrency: options.reportingCurrency } : {}),
        ...(options.maxRejectRate !== undefined ? { maxRejectRate: options.maxRejectRate } : {}),
        ...(options.configMaxRejectRate !== undefined
          ? { configMaxRejectRate: options.configMaxRejectRate }
          : config.load.maxRejectShare !== undefined
            ? { configMaxRejectRate: config.load.maxRejectShare }
            : {}),
        config,
      }),
    );
    record.asOf = loaded.asOf;
    for (const [entity, counts] of Object.entries(loaded.entities)) {
      record.rowCounts[entity] = counts.loaded;
      if (counts.rejected > 0) record.rejects[entity] = counts.rejected;
    }
    // the open deals' features first: the training observations (most of the work) only on a night that retrains
    const features = await stage('features', () =>
      featuresStage(paths, { asOf: loaded.asOf, training: options.retrain === true, log: options.log, config }),
    );
    const decision = await retrainDecisionStage(paths, { asOf: loaded.asOf, force: options.retrain ?? false, config });
    record.retrain = decision;
    options.log.info(`train: ${decision.due ? 'due' : 'not due'}: ${decision.reason}`);
    if (decision.due) {
      if (!features.training)
        await stage('training features', () =>
          featuresStage(paths, { asOf: loaded.asOf, training: true, log: options.log, config }),
        );
      record.featureChecks = featureChecks(
        (record.stages['training features']?.summary as FeatureSummary | undefined) ?? features,
      );
      const trained = await stage('train', () =>
        trainStage(paths, { log: options.log, config, ...(options.seed !== undefined ? { seed: options.seed } : {}) }),
      );
      if (trained.status === 'trained') record.metrics = trained.metrics;
    }
    record.featureChecks ??= featureChecks(features);
    const scored = await stage('score', () => scoreStage(paths, { log: options.log, config }));
    record.modelVersion = scored.modelVersion;
    await stage('moves', () => movesStage(paths, { log: options.log, config }));
    await stage('forecast', () => forecastStage(paths, { log: options.log, config }));
    if (options.report ?? true)
      await stage('report', () =>
        reportStage(paths, {
          log: options.log,
          showPersonalData: config.report.showPersonalData,
          grades: config.grades,
        }),
      );
    record.outcome = 'succeeded';
    return record;
  } catch (error) {
    record.error = error instanceof Error ? error.message : String(error);
    record.failedStage = running;
    // the record is written on a best-effort basis here: the error that stopped the run is the one to report
    writeRunRecord(record, options.log);
    throw error;
  } finally {
    if (record.outcome === 'succeeded') writeRunRecord(record);
  }
}

/**
 * Writes the record whole or not at all (a temporary file renamed into place), so a full disk never
 * leaves a 0-byte record. For a failed run a record that cannot be written is a warning (`log`
 * given): the run's own error is what the operator needs to see.
 */
export function writeRunRecord(record: RunRecord, log?: Logger): void {
  record.finishedAt = new Date().toISOString();
  const draft = `${record.recordFile}.${process.pid}.tmp`;
  try {
    writeFileSync(draft, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(draft, record.recordFile);
  } catch (error) {
    rmSync(draft, { force: true });
    const why = `could not write the run record ${record.recordFile}: ${error instanceof Error ? error.message : String(error)}`;
    if (!log) throw new WuweiError('cannot_write', why, { cause: error });
    log.warn(why);
  }
}

function featureChecks(summary: FeatureSummary): NonNullable<RunRecord['featureChecks']> {
  return {
    dealState: summary.dealState,
    leftOut: summary.exportColumns.leftOut,
    deadFeatures: summary.deadFeatures,
    skew: summary.skew.worst,
  };
}

async function describeInputs(sources: string | string[]): Promise<InputRecord[]> {
  const files = (Array.isArray(sources) ? sources : [sources]).flatMap(exportFiles);
  const inputs: InputRecord[] = [];
  for (const path of files) {
    const stat = statSync(path);
    inputs.push({ file: path, bytes: stat.size, modified: stat.mtime.toISOString(), sha256: await fingerprint(path) });
  }
  return inputs;
}

/** A source is an export file or a folder of them. */
function exportFiles(source: string): string[] {
  try {
    if (statSync(source).isFile()) return [source];
    return readdirSync(source)
      .filter((file) => /\.(csv|parquet|json|ndjson)$/.test(file) && !/^ground_truth(_moves)?\.csv$/.test(file))
      .sort()
      .map((file) => join(source, file));
  } catch {
    return [];
  }
}

function fingerprint(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export interface RunListing {
  startedAt: string;
  outcome: string;
  asOf: string | null;
  trained: boolean;
  modelVersion: string | null;
  opportunities: number | null;
  rejects: number;
  seconds: number;
  error: string | null;
  recordFile: string;
}

/** The run records in the runs folder, newest first. */
export function listRuns(runsDir: string, limit = 20): RunListing[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .reverse()
    .slice(0, limit)
    .map((file) => {
      const path = join(runsDir, file);
      const run = readRecord(path);
      if (!run) return brokenListing(file, path);
      const started = run.startedAt ?? '';
      return {
        startedAt: started,
        outcome: run.outcome ?? 'unknown',
        asOf: run.asOf ?? null,
        trained: Boolean(run.stages?.['train']),
        modelVersion: run.modelVersion ?? null,
        opportunities: run.rowCounts?.['opportunities'] ?? null,
        rejects: Object.values(run.rejects ?? {}).reduce((sum, n) => sum + n, 0),
        seconds: started && run.finishedAt ? (Date.parse(run.finishedAt) - Date.parse(started)) / 1000 : 0,
        error: run.error ? `${run.failedStage ? `${run.failedStage}: ` : ''}${run.error}` : null,
        recordFile: path,
      };
    });
}

/** A record as written, or null when it cannot be read whole (0 bytes or cut short by a full disk of an older version). */
function readRecord(path: string): Partial<RunRecord> | null {
  try {
    const run = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return run !== null && typeof run === 'object' ? (run as Partial<RunRecord>) : null;
  } catch {
    return null;
  }
}

/** A broken record is listed as such (its start time from its name), so the runs before and after it still show. */
function brokenListing(file: string, path: string): RunListing {
  const named = file.replace(/\.json$/, '').replace(/T(\d{2})-(\d{2})-(\d{2})/, 'T$1:$2:$3');
  return {
    startedAt: Number.isNaN(Date.parse(named)) ? '' : named,
    outcome: 'broken',
    asOf: null,
    trained: false,
    modelVersion: null,
    opportunities: null,
    rejects: 0,
    seconds: 0,
    error: `unreadable run record (${statSync(path).size} bytes): delete it or look at it`,
    recordFile: path,
  };
}

/** The run listing as a plain-text table. */
export function formatRuns(runs: RunListing[]): string {
  if (runs.length === 0) return 'no runs yet\n';
  const header = [
    'started (UTC)',
    'outcome',
    'as of',
    'trained',
    'model',
    'opportunities',
    'rejects',
    'seconds',
    'error',
  ];
  const rows = runs.map((r) => [
    r.startedAt.slice(0, 19).replace('T', ' '),
    r.outcome,
    r.asOf ?? '',
    r.trained ? 'yes' : 'no',
    r.modelVersion ?? '',
    r.opportunities === null ? '' : String(r.opportunities),
    String(r.rejects),
    r.seconds.toFixed(1),
    r.error ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`;
}
