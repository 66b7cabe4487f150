/**
 * When the nightly run retrains: on request (`--retrain`), when no model exists, when the active
 * model is `everyDays` older than the as-of date, or when the data drifted since it was trained
 * (won or lost closed deals grew by more than `closedDealsGrowth`, or a feature's mean over the
 * open deals moved by more than `featureMeanShift` of its training standard deviation). Each training leaves a snapshot
 * of what it saw in `training_snapshots` for the next night to compare with.
 */
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import type { WuweiConfig } from '../config/config.ts';
import { FEATURE_NAMES } from '../features/catalog.ts';
import { outputTable } from '../contract/output-tables.ts';
import { ensureTable } from '../contract/table-spec.ts';
import { dayNumber } from '../base/dates.ts';
import { tableColumns, tableExists } from '../base/db.ts';

export interface RetrainDecision {
  due: boolean;
  reason: string;
}

interface Snapshot {
  asOf: string;
  won: number;
  lost: number;
  /** Per feature: its mean over the open deals being scored, in units of its training standard deviation. */
  features: Map<string, { openMean: number; sd: number }>;
}

/**
 * What tonight's data looks like to the rule: closed deals from `feature_build` and feature means
 * over the open deals (`features_score`), so that a night that does not retrain need not build
 * the training table to find out.
 */
async function describeTonight(
  conn: DuckDBConnection,
): Promise<Omit<Snapshot, 'asOf' | 'features'> & { openMeans: Map<string, number> }> {
  const [counts] = await queryRows<{ won: number; lost: number }>(
    conn,
    `SELECT closed_won AS won, closed_lost AS lost FROM feature_build`,
  );
  return { won: counts!.won, lost: counts!.lost, openMeans: await means(conn, 'features_score') };
}

async function means(conn: DuckDBConnection, table: string): Promise<Map<string, number>> {
  const select = FEATURE_NAMES.map((name) => `avg(${finite(name)})::DOUBLE AS ${quoteIdent(name)}`);
  const [row] = await queryRows<Record<string, number | null>>(conn, `SELECT ${select.join(', ')} FROM ${table}`);
  return new Map(FEATURE_NAMES.map((name) => [name, row?.[name] ?? Number.NaN]));
}

/** Records what a model version was trained on (called after every training, with tonight's full feature build). */
export async function recordTrainingSnapshot(conn: DuckDBConnection, version: string, asOf: string): Promise<void> {
  const tonight = await describeTonight(conn);
  const select = FEATURE_NAMES.map(
    (name) => `coalesce(stddev_samp(${finite(name)}), 0)::DOUBLE AS ${quoteIdent(name)}`,
  );
  const [sds] = await queryRows<Record<string, number | null>>(conn, `SELECT ${select.join(', ')} FROM features_train`);
  // snapshots written before the rule compared open deals kept training means instead: not comparable, so they are dropped
  if ((await tableExists(conn, 'training_snapshots')) && !(await hasOpenMeans(conn)))
    await conn.run(`DROP TABLE training_snapshots`);
  await ensureTable(conn, outputTable('training_snapshots'));
  await conn.run(`DELETE FROM training_snapshots WHERE version = ${quoteLiteral(version)}`);
  const values = FEATURE_NAMES.map(
    (feature) =>
      `(${quoteLiteral(version)}, DATE ${quoteLiteral(asOf)}, ${tonight.won}, ${tonight.lost}, ${quoteLiteral(feature)}, ${num(tonight.openMeans.get(feature)!)}, ${num(sds?.[feature] ?? 0)})`,
  );
  await conn.run(`INSERT INTO training_snapshots VALUES ${values.join(', ')}`);
}

async function activeSnapshot(conn: DuckDBConnection): Promise<Snapshot | null | 'no_model'> {
  if (!(await tableExists(conn, 'model_versions'))) return 'no_model';
  const [active] = await queryRows<{ version: string }>(
    conn,
    `SELECT version FROM model_versions WHERE active ORDER BY trained_at DESC LIMIT 1`,
  );
  if (!active) return 'no_model';
  if (!(await tableExists(conn, 'training_snapshots')) || !(await hasOpenMeans(conn))) return null;
  const rows = await queryRows<{
    as_of: string;
    won: number;
    lost: number;
    feature: string;
    open_mean: number | null;
    sd: number | null;
  }>(
    conn,
    `SELECT strftime(as_of, '%Y-%m-%d') AS as_of, won, lost, feature, open_mean, sd FROM training_snapshots WHERE version = ${quoteLiteral(active.version)}`,
  );
  if (rows.length === 0) return null;
  return {
    asOf: rows[0]!.as_of,
    won: rows[0]!.won,
    lost: rows[0]!.lost,
    features: new Map(rows.map((r) => [r.feature, { openMean: r.open_mean ?? Number.NaN, sd: r.sd ?? 0 }])),
  };
}

/** Decides whether tonight's run retrains; needs tonight's `features_score` and `feature_build` (a scoring-only build will do). */
export async function decideRetrain(
  conn: DuckDBConnection,
  options: { asOf: string; policy: WuweiConfig['retrain']; force: boolean },
): Promise<RetrainDecision> {
  if (options.force) return { due: true, reason: 'requested (--retrain)' };
  const snapshot = await activeSnapshot(conn);
  if (snapshot === 'no_model') return { due: true, reason: 'no trained model yet' };
  if (snapshot === null)
    return { due: true, reason: 'the active model has no training snapshot (trained outside the run)' };
  const age = dayNumber(options.asOf) - dayNumber(snapshot.asOf);
  if (age >= options.policy.everyDays)
    return { due: true, reason: `the active model is ${age} days old (retrain every ${options.policy.everyDays})` };
  const now = await describeTonight(conn);
  for (const [label, before, after] of [
    ['won', snapshot.won, now.won],
    ['lost', snapshot.lost, now.lost],
  ] as const) {
    if (before > 0 && (after - before) / before > options.policy.closedDealsGrowth) {
      return {
        due: true,
        reason: `${label} closed deals grew from ${before} to ${after} (more than ${(100 * options.policy.closedDealsGrowth).toFixed(0)}%)`,
      };
    }
  }
  for (const [feature, then] of snapshot.features) {
    const current = now.openMeans.get(feature);
    if (current === undefined || !Number.isFinite(current) || !Number.isFinite(then.openMean) || then.sd === 0)
      continue;
    const shift = Math.abs(current - then.openMean) / then.sd;
    if (shift > options.policy.featureMeanShift)
      return {
        due: true,
        reason: `${feature} mean over the open deals moved by ${shift.toFixed(2)} training standard deviations`,
      };
  }
  return { due: false, reason: `the active model is ${age} days old and the data did not drift` };
}

async function hasOpenMeans(conn: DuckDBConnection): Promise<boolean> {
  return (await tableColumns(conn, 'training_snapshots')).includes('open_mean');
}

/** A feature's finite values only: one infinite value would make a mean or a spread out of range and stop the night. */
function finite(name: string): string {
  return `CASE WHEN isfinite(${quoteIdent(name)}::DOUBLE) THEN ${quoteIdent(name)}::DOUBLE END`;
}

function num(value: number): string {
  return Number.isFinite(value) ? String(value) : 'NULL';
}
