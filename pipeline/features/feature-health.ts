/**
 * Dead features: after a build, every model input that is empty or constant on the training rows
 * teaches the models nothing, and usually means the export lacks a field. `feature_health` (read by
 * the data-quality page) has one row per input with its status and the export field it needs; the
 * dead ones are named in the build summary (the run record and `wuwei features` output) and logged.
 */
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import type { Logger } from '../base/log.ts';
import { featureColumnsOf } from './feature-columns.ts';
import { FEATURES, FEATURE_NAMES, NEEDED_FIELDS } from './catalog.ts';
import { EXPORT_COLUMNS_TABLE } from './export-columns.ts';
import { tableExists } from '../base/db.ts';

export type FeatureStatus = 'ok' | 'empty' | 'constant';

export interface FeatureHealth {
  feature: string;
  kind: 'number' | 'category';
  status: FeatureStatus;
  /** Share of training rows with a value. */
  filledShare: number;
  distinctValues: number;
  /** The export fields (or whole exports) the input is computed from. */
  needs: string;
}

export const FEATURE_HEALTH_TABLE = 'feature_health';

/** Export fields behind the deal attributes that are inputs in their own right. */
const ATTRIBUTE_FIELDS: Record<string, string> = {
  stage: 'opportunity_history.stage (or nightly snapshots of opportunities.stage)',
  segment: 'accounts.segment',
  industry: 'accounts.industry',
  region: 'accounts.region',
  product_line: 'opportunities.product_line',
  lead_source: 'opportunities.lead_source',
  type: 'opportunities.type',
};

/** Every model input of `features_train` (the full catalog, the deal attributes, the export columns), checked. */
export async function checkFeatureHealth(conn: DuckDBConnection, log: Logger): Promise<FeatureHealth[]> {
  const inputs = await featureColumnsOf(conn, 'features_train', FEATURE_NAMES);
  const needs = await neededFields(conn);
  const finite = (name: string) =>
    `CASE WHEN isfinite(${quoteIdent(name)}::DOUBLE) THEN ${quoteIdent(name)}::DOUBLE END`;
  const aggregates = [
    ...inputs.numeric.map((name) => [name, 'number', finite(name)] as const),
    ...inputs.categorical.map((name) => [name, 'category', `${quoteIdent(name)}::VARCHAR`] as const),
  ];
  const health: FeatureHealth[] = [];
  // a few columns per query: one wide query over a hundred columns costs more memory than it saves
  for (let start = 0; start < aggregates.length; start += 16) {
    const batch = aggregates.slice(start, start + 16);
    const columns = batch.map(
      ([, , v], j) =>
        `count(${v})::DOUBLE AS f${j}, (min(${v}) = max(${v}))::DOUBLE AS c${j}, approx_count_distinct(${v})::DOUBLE AS d${j}`,
    );
    const [row] = await queryRows<Record<string, number | null>>(
      conn,
      `SELECT count(*)::DOUBLE AS n, ${columns.join(', ')} FROM features_train`,
    );
    batch.forEach(([name, kind], j) => {
      const n = row!['n']!;
      const filled = row![`f${j}`]!;
      // constant: one value on every training row (one value and some missing still tells known from unknown)
      const status: FeatureStatus = filled === 0 ? 'empty' : row![`c${j}`] === 1 && filled === n ? 'constant' : 'ok';
      const distinctValues = row![`c${j}`] === 1 ? 1 : Math.max(2, Math.round(row![`d${j}`] ?? 0));
      const filledShare = n > 0 ? filled / n : 0;
      health.push({
        feature: name,
        kind,
        status,
        filledShare,
        distinctValues: filled === 0 ? 0 : distinctValues,
        needs: needs.get(name) ?? '',
      });
    });
  }
  await conn.run(`CREATE OR REPLACE TABLE ${FEATURE_HEALTH_TABLE}
    (feature VARCHAR, kind VARCHAR, status VARCHAR, filled_share DOUBLE, distinct_values INTEGER, needs VARCHAR)`);
  const values = health.map(
    (h) =>
      `(${quoteLiteral(h.feature)}, '${h.kind}', '${h.status}', ${h.filledShare}, ${h.distinctValues}, ${quoteLiteral(h.needs)})`,
  );
  if (values.length > 0) await conn.run(`INSERT INTO ${FEATURE_HEALTH_TABLE} VALUES ${values.join(', ')}`);
  const dead = health.filter((h) => h.status !== 'ok');
  if (dead.length > 0) {
    const named = (status: FeatureStatus) => dead.filter((h) => h.status === status).map((h) => h.feature);
    log.warn(
      `${dead.length} of ${health.length} model inputs teach the models nothing (feature_health names the export fields ` +
        `they need): empty on the training rows: ${named('empty').join(', ') || 'none'}; constant: ${named('constant').join(', ') || 'none'}`,
    );
  }
  return health;
}

/** Input -> the export fields it needs: the catalog's (or the exports it names), the attributes', the export columns' own. */
async function neededFields(conn: DuckDBConnection): Promise<Map<string, string>> {
  const needs = new Map<string, string>(Object.entries(ATTRIBUTE_FIELDS));
  for (const feature of FEATURES) {
    const fields = NEEDED_FIELDS[feature.name] ?? [];
    const exports = feature.needs.filter((entity) => !fields.some((field) => field.startsWith(`${entity}.`)));
    needs.set(feature.name, [...fields, ...exports].join(', ') || 'opportunities');
  }
  if (await tableExists(conn, EXPORT_COLUMNS_TABLE)) {
    const columns = await queryRows<{ feature: string; entity: string; source_column: string }>(
      conn,
      `SELECT feature, entity, source_column FROM ${EXPORT_COLUMNS_TABLE}`,
    );
    for (const row of columns) needs.set(row.feature, `${row.entity}.${row.source_column}`);
  }
  return needs;
}
