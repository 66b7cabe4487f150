/**
 * A run's database made by the REAL stages, as sales ops make one: a small generated export, a first
 * night (load → features → train → score → forecast), the backtest, and a second night one day
 * later on the same export that retrains with another seed, so the scores, forecasts and run records hold two nights.
 * The report tests read what the stages write, never hand-built tables.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { wuweiInProcess } from './cli.ts';

export interface RealRun {
  dbPath: string;
  exportDir: string;
  /** The two nights, oldest first. */
  nights: [string, string];
}

export const REAL_RUN_OPPORTUNITIES = 1500;

export async function createRealRun(
  root: string,
  options: { opportunities?: number; seed?: number } = {},
): Promise<RealRun> {
  const dbPath = join(root, 'data', 'wuwei.duckdb');
  const exportDir = join(root, 'export');
  const db = ['--db', dbPath];
  await step([
    'generate',
    '--out',
    exportDir,
    '--opportunities',
    String(options.opportunities ?? REAL_RUN_OPPORTUNITIES),
    '--seed',
    String(options.seed ?? 3),
  ]);
  const first = readFileSync(join(exportDir, 'as_of.txt'), 'utf8').trim();
  const second = new Date(Date.parse(`${first}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  await step(['run', '--source', exportDir, '--no-report', ...db]);
  // every fourth week into each quarter: the pages' accuracy-through-the-quarter chart gets four points a quarter
  await step(['backtest', '--quarters', '2', '--week-step', '4', ...db]);
  // another seed, as a retrain on new data would: the same export and seed give nearly the same model, and no deal moves
  await step(['run', '--source', exportDir, '--as-of', second, '--retrain', '--seed', '43', '--no-report', ...db]);
  return { dbPath, exportDir, nights: [first, second] };
}

async function step(args: string[]): Promise<void> {
  const result = await wuweiInProcess(args);
  if (result.code !== 0) throw new Error(`wuwei ${args[0]} failed (${result.code}): ${result.output.slice(-2000)}`);
}
