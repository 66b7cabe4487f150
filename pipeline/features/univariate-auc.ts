/**
 * Univariate AUC of feature columns against a 0/1 outcome, computed in DuckDB (rank-sum form, ties
 * get their average rank, NULLs left out): the chance that a random won row has a higher value
 * than a random lost one. 0.5 is no signal; below 0.5 the feature points the other way.
 * With `strata` (a column such as the stage), won and lost rows are compared only within the same
 * stratum (the pooled Mann-Whitney statistic): what the feature tells beyond the stratum.
 */
import { queryRows, quoteIdent, type DuckDBConnection } from '../base/db.ts';

export interface UnivariateAuc {
  feature: string;
  /** NaN when the feature has no value for one of the two outcomes. */
  auc: number;
  /** Rows with a value. */
  rows: number;
  /** Share of the table's rows with a value. */
  coverage: number;
}

export async function univariateAuc(
  conn: DuckDBConnection,
  table: string,
  outcome: string,
  features: readonly string[],
  options: { strata?: string } = {},
): Promise<UnivariateAuc[]> {
  if (features.length === 0) return [];
  const stratum = options.strata ? `coalesce((${options.strata})::VARCHAR, '')` : `''`;
  const columns = features.map((name, i) => `${quoteIdent(name)}::DOUBLE AS f${i}`).join(', ');
  const rows = await queryRows<{ i: number; auc: number | null; n: number }>(
    conn,
    `WITH
       wide AS (SELECT ${quoteIdent(outcome)}::INTEGER AS y, ${stratum} AS s, ${columns} FROM ${quoteIdent(table)} WHERE ${quoteIdent(outcome)} IS NOT NULL),
       long AS (UNPIVOT wide ON ${features.map((_, i) => `f${i}`).join(', ')} INTO NAME feature VALUE x),
       ranked AS (
         SELECT feature, s, y, rank() OVER (PARTITION BY feature, s ORDER BY x) + (count(*) OVER (PARTITION BY feature, s, x) - 1) / 2.0 AS r
         FROM long WHERE isfinite(x)
       ),
       strata AS (
         SELECT feature, s, count(*) FILTER (WHERE y = 1)::DOUBLE AS n1, count(*) FILTER (WHERE y = 0)::DOUBLE AS n0, coalesce(sum(r) FILTER (WHERE y = 1), 0) AS r1
         FROM ranked GROUP BY feature, s
       )
     SELECT substr(feature, 2)::INTEGER AS i,
            sum(r1 - n1 * (n1 + 1) / 2) / nullif(sum(n1 * n0), 0) AS auc,
            sum(n1 + n0)::INTEGER AS n
     FROM strata GROUP BY feature`,
  );
  const [all] = await queryRows<{ total: number }>(
    conn,
    `SELECT count(*)::INTEGER AS total FROM ${quoteIdent(table)} WHERE ${quoteIdent(outcome)} IS NOT NULL`,
  );
  const byIndex = new Map(rows.map((row) => [row.i, row]));
  return features.map((feature, i) => {
    const row = byIndex.get(i);
    const n = row?.n ?? 0;
    return { feature, auc: row?.auc ?? Number.NaN, rows: n, coverage: all!.total > 0 ? n / all!.total : 0 };
  });
}
