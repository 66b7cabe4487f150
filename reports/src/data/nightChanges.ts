/**
 * What changed since the previous night, and what moved the forecast: the `scores` table keeps
 * every night, `forecasts` every as-of date and the registry when each model was trained. Each
 * change lists the deals behind it, so a figure on the first screen is one click from them.
 */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import type { Maybe, NightChange, NightChanges } from '../components/types.ts';
import { formatDate } from '../components/format.ts';
import { expectedValueSql } from '../../../pipeline/score/expected-value.ts';
import { hasTable, optionalColumns } from './tables.ts';

/** A deal re-scored by this much win probability or more counts as re-scored. */
export const RESCORE_THRESHOLD = 0.05;
/** Deal ids listed per change (the Deals page opens them as a list). */
const MAX_IDS = 500;

const LABELS: Record<NightChange['kind'], string> = {
  new: 'New deals',
  won: 'Won',
  lost: 'Lost',
  slipped: 'Close date pushed later',
  rescored: 'Re-scored (±5 pts or more)',
  dropped: 'Left the pipeline otherwise',
};

export async function nightChanges(
  conn: DuckDBConnection,
  asOf: string,
  quarterStart: string | null,
): Promise<Maybe<NightChanges>> {
  const [nights] = await queryRows<{ previous: string | null }>(
    conn,
    `SELECT strftime(max(as_of), '%Y-%m-%d') AS previous FROM scores WHERE as_of < DATE ${quoteLiteral(asOf)}`,
  );
  const previous = nights?.previous;
  if (!previous)
    return {
      available: false,
      reason: 'What changed since the previous night is not available yet: the scores table holds one night so far.',
    };
  const scored = await optionalColumns(conn, 'scores', ['expected_amount']);
  const value = (alias: string) => expectedValueSql(alias, scored.has('expected_amount'));
  const rows = await queryRows<{ kind: NightChange['kind']; id: string; amount: number; valueChange: number }>(
    conn,
    `WITH now AS (SELECT * FROM scores WHERE as_of = DATE ${quoteLiteral(asOf)}),
     before AS (SELECT * FROM scores WHERE as_of = DATE ${quoteLiteral(previous)}),
     joined AS (
         SELECT coalesce(n.opportunity_id, b.opportunity_id) AS id,
                CASE
                    WHEN b.opportunity_id IS NULL THEN 'new'
                    WHEN n.opportunity_id IS NULL AND o.is_won THEN 'won'
                    WHEN n.opportunity_id IS NULL AND o.is_closed THEN 'lost'
                    WHEN n.opportunity_id IS NULL THEN 'dropped'
                    WHEN n.expected_close_date > b.expected_close_date THEN 'slipped'
                    WHEN abs(n.win_probability - b.win_probability) >= ${RESCORE_THRESHOLD} THEN 'rescored'
                END AS kind,
                coalesce(n.amount, b.amount, 0)::DOUBLE AS amount,
                (coalesce(${value('n')}, 0) - coalesce(${value('b')}, 0))::DOUBLE AS "valueChange"
         FROM now AS n FULL OUTER JOIN before AS b USING (opportunity_id)
         LEFT JOIN opportunities AS o ON o.opportunity_id = coalesce(n.opportunity_id, b.opportunity_id)
     )
     SELECT kind, id, amount, "valueChange" FROM joined WHERE kind IS NOT NULL ORDER BY kind, abs("valueChange") DESC, id`,
  );
  const changes: NightChange[] = (Object.keys(LABELS) as NightChange['kind'][]).map((kind) => {
    const mine = rows.filter((row) => row.kind === kind);
    return {
      kind,
      label: LABELS[kind],
      deals: mine.length,
      amount: mine.reduce((sum, row) => sum + row.amount, 0),
      valueChange: mine.reduce((sum, row) => sum + row.valueChange, 0),
      ids: mine.slice(0, MAX_IDS).map((row) => row.id),
    };
  });
  const night = {
    previousAsOf: previous,
    changes,
    retrain: await retrain(conn, asOf, previous),
    forecast: await forecastMove(conn, asOf, previous, quarterStart),
  };
  return { available: true, ...night, reason: movementReason(night) };
}

/** The model that scored tonight, if it is not the one that scored the night before. */
async function retrain(conn: DuckDBConnection, asOf: string, previous: string): Promise<NightChanges['retrain']> {
  const [row] = await queryRows<{ now: string | null; before: string | null }>(
    conn,
    `SELECT (SELECT any_value(model_version) FROM scores WHERE as_of = DATE ${quoteLiteral(asOf)}) AS now,
            (SELECT any_value(model_version) FROM scores WHERE as_of = DATE ${quoteLiteral(previous)}) AS before`,
  );
  if (!row?.now || row.now === row.before) return null;
  let trainedAt: string | null = null;
  if (await hasTable(conn, 'model_versions')) {
    const [model] = await queryRows<{ trainedAt: string | null }>(
      conn,
      `SELECT strftime(max(trained_at), '%Y-%m-%d') AS "trainedAt" FROM model_versions WHERE version = ${quoteLiteral(row.now)}`,
    );
    trainedAt = model?.trainedAt ?? null;
  }
  return { version: row.now, previousVersion: row.before, trainedAt };
}

/** The headline quarter's P50 in the previous night's forecast and tonight's. */
async function forecastMove(
  conn: DuckDBConnection,
  asOf: string,
  previous: string,
  quarterStart: string | null,
): Promise<NightChanges['forecast']> {
  if (!quarterStart || !(await hasTable(conn, 'forecasts'))) return null;
  const [row] = await queryRows<{ before: number | null; now: number | null }>(
    conn,
    `SELECT max(p50) FILTER (WHERE as_of = DATE ${quoteLiteral(previous)})::DOUBLE AS before,
            max(p50) FILTER (WHERE as_of = DATE ${quoteLiteral(asOf)})::DOUBLE AS now
     FROM forecasts
     WHERE segment_type = 'all' AND period_type = 'quarter' AND period_start = DATE ${quoteLiteral(quarterStart)}`,
  );
  return row?.before == null || row.now == null ? null : { before: row.before, now: row.now };
}

/**
 * One sentence on what moved the number: the model when it was retrained, else the change with the
 * largest effect on the deals' expected value.
 */
export function movementReason(night: Omit<NightChanges, 'reason'>): string {
  const largest = [...night.changes]
    .filter((change) => change.deals > 0)
    .sort((a, b) => Math.abs(b.valueChange) - Math.abs(a.valueChange))[0];
  const parts: string[] = [];
  if (night.retrain) {
    parts.push(
      `The model was retrained${night.retrain.trainedAt ? ` on ${formatDate(night.retrain.trainedAt)}` : ''} (${night.retrain.version} replaced ${night.retrain.previousVersion ?? 'the stage baseline'}), so every open deal was re-scored.`,
    );
  }
  if (largest)
    parts.push(
      `Largest effect: ${largest.label.toLowerCase()}, ${largest.deals} deal${largest.deals === 1 ? '' : 's'}.`,
    );
  if (parts.length === 0) parts.push('No deal was added, closed, pushed or re-scored by 5 points or more.');
  return parts.join(' ');
}
