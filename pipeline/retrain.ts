/**
 * When the nightly run retrains: on request (`--retrain`), when no model exists, when the active
 * model is `everyDays` older than the as-of date, or when the data drifted since it was trained
 * (won or lost closed deals grew by more than `closedDealsGrowth`, or a feature's training mean
 * moved by more than `featureMeanShift` of its standard deviation). Each training leaves a snapshot
 * of what it saw in `training_snapshots` for the next night to compare with.
 */
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from './db.ts';
import type { WuweiConfig } from './config.ts';
import { FEATURE_NAMES } from './features/catalog.ts';
import { dayNumber } from './forecast/periods.ts';
import { tableExists } from '../models/columns.ts';

export interface RetrainDecision {
  due: boolean;
  reason: string;
}

interface Snapshot {
  asOf: string;
  won: number;
  lost: number;
  features: Map<string, { mean: number; sd: number }>;
}

async function describeTraining(conn: DuckDBConnection): Promise<Omit<Snapshot, 'asOf'>> {
  const [counts] = await queryRows<{ won: number; lost: number }>(
    conn,
    `SELECT count(DISTINCT opportunity_id) FILTER (WHERE label_won = 1)::INTEGER AS won, count(DISTINCT opportunity_id) FILTER (WHERE label_won = 0)::INTEGER AS lost FROM features_train`,
  );
  const select = FEATURE_NAMES.map((name) => `avg(${quoteIdent(name)})::DOUBLE AS ${quoteIdent(`${name}__mean`)}, coalesce(stddev_samp(${quoteIdent(name)}), 0)::DOUBLE AS ${quoteIdent(`${name}__sd`)}`);
  const [stats] = await queryRows<Record<string, number | null>>(conn, `SELECT ${select.join(', ')} FROM features_train`);
  const features = new Map(FEATURE_NAMES.map((name) => [name, { mean: stats?.[`${name}__mean`] ?? 0, sd: stats?.[`${name}__sd`] ?? 0 }]));
  return { won: counts!.won, lost: counts!.lost, features };
}

/** Records what a model version was trained on (called after every training). */
export async function recordTrainingSnapshot(conn: DuckDBConnection, version: string, asOf: string): Promise<void> {
  const seen = await describeTraining(conn);
  await conn.run(`CREATE TABLE IF NOT EXISTS training_snapshots (version VARCHAR, as_of DATE, won INTEGER, lost INTEGER, feature VARCHAR, mean DOUBLE, sd DOUBLE)`);
  await conn.run(`DELETE FROM training_snapshots WHERE version = ${quoteLiteral(version)}`);
  const values = [...seen.features].map(([feature, s]) => `(${quoteLiteral(version)}, DATE ${quoteLiteral(asOf)}, ${seen.won}, ${seen.lost}, ${quoteLiteral(feature)}, ${num(s.mean)}, ${num(s.sd)})`);
  await conn.run(`INSERT INTO training_snapshots VALUES ${values.join(', ')}`);
}

async function activeSnapshot(conn: DuckDBConnection): Promise<Snapshot | null | 'no_model'> {
  if (!(await tableExists(conn, 'model_versions'))) return 'no_model';
  const [active] = await queryRows<{ version: string }>(conn, `SELECT version FROM model_versions WHERE active ORDER BY trained_at DESC LIMIT 1`);
  if (!active) return 'no_model';
  if (!(await tableExists(conn, 'training_snapshots'))) return null;
  const rows = await queryRows<{ as_of: string; won: number; lost: number; feature: string; mean: number | null; sd: number | null }>(
    conn,
    `SELECT strftime(as_of, '%Y-%m-%d') AS as_of, won, lost, feature, mean, sd FROM training_snapshots WHERE version = ${quoteLiteral(active.version)}`,
  );
  if (rows.length === 0) return null;
  return { asOf: rows[0]!.as_of, won: rows[0]!.won, lost: rows[0]!.lost, features: new Map(rows.map((r) => [r.feature, { mean: r.mean ?? 0, sd: r.sd ?? 0 }])) };
}

/** Decides whether tonight's run retrains; needs tonight's `features_train`. */
export async function decideRetrain(conn: DuckDBConnection, options: { asOf: string; policy: WuweiConfig['retrain']; force: boolean }): Promise<RetrainDecision> {
  if (options.force) return { due: true, reason: 'requested (--retrain)' };
  const snapshot = await activeSnapshot(conn);
  if (snapshot === 'no_model') return { due: true, reason: 'no trained model yet' };
  if (snapshot === null) return { due: true, reason: 'the active model has no training snapshot (trained outside the run)' };
  const age = dayNumber(options.asOf) - dayNumber(snapshot.asOf);
  if (age >= options.policy.everyDays) return { due: true, reason: `the active model is ${age} days old (retrain every ${options.policy.everyDays})` };
  const now = await describeTraining(conn);
  for (const [label, before, after] of [['won', snapshot.won, now.won], ['lost', snapshot.lost, now.lost]] as const) {
    if (before > 0 && (after - before) / before > options.policy.closedDealsGrowth) {
      return { due: true, reason: `${label} closed deals grew from ${before} to ${after} (more than ${(100 * options.policy.closedDealsGrowth).toFixed(0)}%)` };
    }
  }
  for (const [feature, then] of snapshot.features) {
    const current = now.features.get(feature);
    if (!current || then.sd === 0) continue;
    const shift = Math.abs(current.mean - then.mean) / then.sd;
    if (shift > options.policy.featureMeanShift) return { due: true, reason: `${feature} mean moved by ${shift.toFixed(2)} standard deviations` };
  }
  return { due: false, reason: `the active model is ${age} days old and the data did not drift` };
}

function num(value: number): string {
  return Number.isFinite(value) ? String(value) : 'NULL';
}
