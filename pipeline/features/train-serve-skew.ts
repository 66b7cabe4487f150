/**
 * Train/serve skew: a model learns from `features_train` (closed deals during their life) and is
 * applied to `features_score` (open deals today). An input that is missing in one and not the other,
 * or distributed differently, means the model scores something it never learned (a flat export whose
 * closed deals lack the stage open deals have, for one). Per input:
 *   - the share of rows missing a value in each table;
 *   - numbers: the standardized mean difference, (score mean - train mean) / pooled standard deviation;
 *   - categories: the population stability index over the levels (missing is a level).
 * Training rows are those of the last year before the build's date when there are enough of them:
 * features that grow with the calendar (tenure, past wins) then compare like with like.
 * `feature_skew` (read by the data-quality page) holds every input; the worst are named and warned of.
 */
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import type { Logger } from '../base/log.ts';
import { featureColumnsOf } from './feature-columns.ts';
import { tableColumns } from '../base/db.ts';

export interface FeatureSkew {
  feature: string;
  kind: 'number' | 'category';
  trainMissingShare: number;
  scoreMissingShare: number;
  /** Numbers: standardized mean difference (NaN when either side has no value). */
  smd: number;
  /** Categories: population stability index. */
  psi: number;
  /** The largest of |missing share difference| / 0.2, |SMD| / 1 and PSI / 0.25: 1 and above warns. */
  severity: number;
}

export const FEATURE_SKEW_TABLE = 'feature_skew';
/** Beyond these, training and scoring rows differ enough to warn. */
export const SKEW_LIMITS = { missingShare: 0.2, smd: 1, psi: 0.25 } as const;
/** Training observations of the last this many days are compared, if at least MIN_RECENT_ROWS. */
const RECENT_DAYS = 365;
const MIN_RECENT_ROWS = 200;
/** How many of the worst inputs the summary names. */
const WORST = 5;
/**
 * Inputs per query. An export with 5,000 custom columns gives 3,334 number and 1,667 text inputs:
 * one query of every number took 13 s (DuckDB's time grows with the square of a select's
 * expressions: 500 of them 0.3 s, 2,000 4.2 s), one query per text input minutes.
 */
const NUMBERS_PER_QUERY = 250;
const CATEGORIES_PER_QUERY = 500;

export interface SkewSummary {
  /** The inputs whose severity is 1 or more, worst first (at most five), in words. */
  worst: string[];
  skewedInputs: number;
  inputs: number;
}

/** Compares the inputs the models would use (the supported catalog features, deal attributes and export columns). */
export async function checkTrainServeSkew(
  conn: DuckDBConnection,
  supportedFeatures: readonly string[],
  log: Logger,
): Promise<SkewSummary> {
  // the inputs both tables carry (a scoring-only build keeps an older training table)
  const scoring = new Set(await tableColumns(conn, 'features_score'));
  const all = await featureColumnsOf(conn, 'features_train', supportedFeatures);
  const inputs = {
    numeric: all.numeric.filter((name) => scoring.has(name)),
    categorical: all.categorical.filter((name) => scoring.has(name)),
  };
  const recent = `(SELECT * FROM features_train WHERE as_of > (SELECT max(as_of) FROM features_score) - ${RECENT_DAYS})`;
  const [count] = await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM ${recent}`);
  const train = count!.n >= MIN_RECENT_ROWS ? recent : 'features_train';
  const skews = [
    ...(await numericSkews(conn, train, inputs.numeric)),
    ...(await categoricalSkews(conn, train, inputs.categorical)),
  ];
  skews.sort((a, b) => b.severity - a.severity || a.feature.localeCompare(b.feature));
  await conn.run(
    `CREATE OR REPLACE TABLE ${FEATURE_SKEW_TABLE} (feature VARCHAR, kind VARCHAR, train_missing_share DOUBLE, score_missing_share DOUBLE, smd DOUBLE, psi DOUBLE, severity DOUBLE, skewed BOOLEAN)`,
  );
  const num = (x: number) => (Number.isFinite(x) ? String(x) : 'NULL');
  if (skews.length > 0) {
    await conn.run(
      `INSERT INTO ${FEATURE_SKEW_TABLE} VALUES ${skews
        .map(
          (s) =>
            `(${quoteLiteral(s.feature)}, '${s.kind}', ${num(s.trainMissingShare)}, ${num(s.scoreMissingShare)}, ${num(s.smd)}, ${num(s.psi)}, ${num(s.severity)}, ${s.severity >= 1})`,
        )
        .join(', ')}`,
    );
  }
  const skewed = skews.filter((s) => s.severity >= 1);
  const worst = skewed.slice(0, WORST).map(describe);
  if (skewed.length > 0) {
    log.warn(
      `train/serve skew: ${skewed.length} of ${skews.length} inputs differ between training and scoring rows; worst: ${worst.join('; ')}`,
    );
  }
  return { worst, skewedInputs: skewed.length, inputs: skews.length };
}

function describe(skew: FeatureSkew): string {
  const pct = (x: number) => `${Math.round(100 * x)}%`;
  const missing = `missing ${pct(skew.trainMissingShare)} in training, ${pct(skew.scoreMissingShare)} in scoring`;
  const shift =
    skew.kind === 'number'
      ? Number.isFinite(skew.smd)
        ? `, mean shift ${skew.smd.toFixed(2)} sd`
        : ''
      : `, PSI ${skew.psi.toFixed(2)}`;
  return `${skew.feature} (${missing}${shift})`;
}

/** Beyond it a value's square overflows a double when summed: NaN and infinities fail the test too. */
const LARGEST_VALUE = '1e150';

async function numericSkews(
  conn: DuckDBConnection,
  trainRows: string,
  names: readonly string[],
): Promise<FeatureSkew[]> {
  if (names.length === 0) return [];
  // Columns `k<j>`, `m<j>`, `v<j>` of input j over the whole list, from one query per batch.
  const stats = async (table: string) => {
    const row: Record<string, number | null> = {};
    for (let start = 0; start < names.length; start += NUMBERS_PER_QUERY) {
      // An absurd export value (1e308 in a custom column) is left out as missing: var_pop over it
      // overflows, and DuckDB stops the query ("VARPOP is out of range"), and with it the night.
      const values = names
        .slice(start, start + NUMBERS_PER_QUERY)
        .map(
          (name) =>
            `CASE WHEN abs(${quoteIdent(name)}::DOUBLE) < ${LARGEST_VALUE} THEN ${quoteIdent(name)}::DOUBLE END`,
        );
      const [batch] = await queryRows<Record<string, number | null>>(
        conn,
        `SELECT count(*)::DOUBLE AS n, ${values.map((v, i) => `count(${v})::DOUBLE AS k${start + i}, avg(${v})::DOUBLE AS m${start + i}, var_pop(${v})::DOUBLE AS v${start + i}`).join(', ')} FROM ${table}`,
      );
      Object.assign(row, batch);
    }
    return row;
  };
  const train = await stats(trainRows);
  const score = await stats('features_score');
  return names.map((feature, j) => {
    const trainMissingShare = missingShare(train, j);
    const scoreMissingShare = missingShare(score, j);
    const pooled = Math.sqrt(((train[`v${j}`] ?? Number.NaN) + (score[`v${j}`] ?? Number.NaN)) / 2);
    const difference = (score[`m${j}`] ?? Number.NaN) - (train[`m${j}`] ?? Number.NaN);
    // a feature constant on both sides has no spread: equal means are no shift, different ones a full one
    const smd =
      pooled > 1e-12
        ? difference / pooled
        : Number.isFinite(difference)
          ? Math.abs(difference) > 1e-12
            ? Math.sign(difference) * 10
            : 0
          : Number.NaN;
    const severity = Math.max(
      Math.abs(scoreMissingShare - trainMissingShare) / SKEW_LIMITS.missingShare,
      Number.isFinite(smd) ? Math.abs(smd) / SKEW_LIMITS.smd : 0,
    );
    return { feature, kind: 'number' as const, trainMissingShare, scoreMissingShare, smd, psi: Number.NaN, severity };
  });
}

function missingShare(row: Record<string, number | null>, j: number): number {
  const n = row['n'] ?? 0;
  return n > 0 ? 1 - (row[`k${j}`] ?? 0) / n : Number.NaN;
}

async function categoricalSkews(
  conn: DuckDBConnection,
  trainRows: string,
  names: readonly string[],
): Promise<FeatureSkew[]> {
  const levels = new Map<string, { level: string | null; train: number; score: number }[]>(names.map((n) => [n, []]));
  for (let start = 0; start < names.length; start += CATEGORIES_PER_QUERY) {
    const batch = names.slice(start, start + CATEGORIES_PER_QUERY);
    // Each row's value of every input of the batch, as (feature, level) pairs; a missing value is a level (NULL).
    const pairs = (table: string) =>
      `SELECT unnest([${batch.map(quoteLiteral).join(', ')}]) AS feature,
              unnest([${batch.map((name) => `${quoteIdent(name)}::VARCHAR`).join(', ')}]) AS level FROM ${table}`;
    const rows = await queryRows<{ feature: string; level: string | null; train: number; score: number }>(
      conn,
      `WITH t AS (SELECT feature, level, count(*)::DOUBLE AS n FROM (${pairs(trainRows)}) GROUP BY ALL),
            s AS (SELECT feature, level, count(*)::DOUBLE AS n FROM (${pairs('features_score')}) GROUP BY ALL)
       SELECT coalesce(t.feature, s.feature) AS feature, coalesce(t.level, s.level) AS level,
              coalesce(t.n, 0) AS train, coalesce(s.n, 0) AS score
       FROM t FULL JOIN s ON t.feature = s.feature AND t.level IS NOT DISTINCT FROM s.level
       ORDER BY feature, level NULLS FIRST`,
    );
    for (const row of rows) levels.get(row.feature)!.push(row);
  }
  const skews: FeatureSkew[] = [];
  for (const feature of names) {
    const rows = levels.get(feature)!;
    const totalTrain = rows.reduce((sum, r) => sum + r.train, 0);
    const totalScore = rows.reduce((sum, r) => sum + r.score, 0);
    if (totalTrain === 0 || totalScore === 0) continue;
    // a level absent on one side counts as half a row there, so that the index stays finite
    let psi = 0;
    for (const r of rows) {
      const p = Math.max(r.train, 0.5) / totalTrain;
      const q = Math.max(r.score, 0.5) / totalScore;
      psi += (q - p) * Math.log(q / p);
    }
    const missing = (side: 'train' | 'score', total: number) =>
      (rows.find((r) => r.level === null)?.[side] ?? 0) / total;
    const trainMissingShare = missing('train', totalTrain);
    const scoreMissingShare = missing('score', totalScore);
    const severity = Math.max(
      Math.abs(scoreMissingShare - trainMissingShare) / SKEW_LIMITS.missingShare,
      psi / SKEW_LIMITS.psi,
    );
    skews.push({ feature, kind: 'category', trainMissingShare, scoreMissingShare, smd: Number.NaN, psi, severity });
  }
  return skews;
}
