/**
 * pipeline.json: cycle length of closed deals by segment, outcome and quarter; time in each stage
 * against won-deal norms; ageing of open deals; the stage funnel. All from `opportunities` and
 * `opportunity_history`, aggregated in SQL so the file stays small at any number of deals. Beside
 * them, the stalled deals with the move that would most raise each (moveLists.ts, from `next_moves`).
 */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import { STAGE_SPELLS } from '../../../pipeline/report-tables/stage-spells.ts';
import type {
  AgeingCell,
  CycleBin,
  CycleStats,
  CycleTrendPoint,
  FunnelStep,
  PipelineReport,
  StageTime,
} from '../components/types.ts';
import { scoresHeader } from './latestScores.ts';
import { runDate } from './runDate.ts';
import { dealListTotal, LIST_RULES } from './dealLists.ts';
import { stalledDealMoves } from './moveLists.ts';
import { runLoaderAsScript } from './runLoader.ts';
import { openStages } from './stageOrder.ts';
import { reportTable } from './tables.ts';

const CYCLE_BIN_DAYS = 30;
const CYCLE_BINS = 12; // 0-30 ... 330-360, then "360+"

const AGE_BUCKETS = [
  { label: '0–30 days', to: 30 },
  { label: '31–90 days', to: 90 },
  { label: '91–180 days', to: 180 },
  { label: '181–365 days', to: 365 },
  { label: 'over a year', to: null },
];

/** The pipeline page's data, from the run's database. */
export async function pipelineData(conn: DuckDBConnection): Promise<PipelineReport> {
  const asOf = await runDate(conn);
  const { asOf: scoredAsOf, currency } = await scoresHeader(conn);
  const date = `DATE ${quoteLiteral(asOf)}`;
  const stages = await openStages(conn);
  const stageValues = stages.map((s) => `(${quoteLiteral(s.stage)}, ${s.index})`).join(', ') || `(NULL, NULL)`;
  const closed = `
    closed AS (
        SELECT o.opportunity_id, coalesce(a.segment, 'unknown') AS segment,
               CASE WHEN o.is_won THEN 'won' ELSE 'lost' END AS outcome,
               o.close_date, datediff('day', o.created_date, o.close_date) AS days
        FROM opportunities AS o LEFT JOIN accounts AS a USING (account_id)
        WHERE o.is_closed AND o.close_date IS NOT NULL AND o.close_date <= ${date} AND o.close_date >= o.created_date
    )`;

  const cycles = await queryRows<CycleStats>(
    conn,
    `WITH ${closed}
     SELECT segment, outcome, count(*)::INTEGER AS deals,
            quantile_cont(days, 0.1)::DOUBLE AS p10, quantile_cont(days, 0.25)::DOUBLE AS p25,
            quantile_cont(days, 0.5)::DOUBLE AS median, quantile_cont(days, 0.75)::DOUBLE AS p75,
            quantile_cont(days, 0.9)::DOUBLE AS p90
     FROM closed GROUP BY ALL ORDER BY segment, outcome DESC`,
  );

  const bins = await queryRows<Omit<CycleBin, 'label' | 'toDays'>>(
    conn,
    `WITH ${closed}
     SELECT outcome, (least(${CYCLE_BINS}, floor(days / ${CYCLE_BIN_DAYS})) * ${CYCLE_BIN_DAYS})::INTEGER AS "fromDays", count(*)::INTEGER AS deals
     FROM closed GROUP BY ALL ORDER BY outcome DESC, "fromDays"`,
  );
  const cycleBins: CycleBin[] = bins.map((bin) => {
    const last = bin.fromDays >= CYCLE_BINS * CYCLE_BIN_DAYS;
    return {
      ...bin,
      toDays: last ? null : bin.fromDays + CYCLE_BIN_DAYS,
      label: last ? `${bin.fromDays}+` : `${bin.fromDays}–${bin.fromDays + CYCLE_BIN_DAYS}`,
    };
  });

  const cycleTrend = await queryRows<Omit<CycleTrendPoint, 'label'>>(
    conn,
    `WITH ${closed}
     SELECT strftime(date_trunc('quarter', close_date), '%Y-%m-%d') AS quarter, outcome,
            count(*)::INTEGER AS deals, quantile_cont(days, 0.5)::DOUBLE AS "medianDays"
     FROM closed GROUP BY ALL ORDER BY quarter, outcome DESC`,
  );

  // Stage spells (the night's `stage_spells`, pipeline/report-tables/stage-spells.ts): read by two queries.
  const stageSpells = await reportTable(conn, STAGE_SPELLS, asOf);
  const spells = `
    stage_order(stage, stage_index) AS (VALUES ${stageValues}),
    spells AS (SELECT * FROM ${stageSpells})`;
  const stageTimes = await queryRows<StageTime>(
    conn,
    `WITH ${spells},
     won_norms AS (
         SELECT s.stage, quantile_cont(datediff('day', s.entered, s.left_at), 0.5)::DOUBLE AS won_median,
                quantile_cont(datediff('day', s.entered, s.left_at), 0.75)::DOUBLE AS won_p75
         FROM spells AS s JOIN opportunities AS o USING (opportunity_id)
         WHERE o.is_won AND s.left_at IS NOT NULL GROUP BY s.stage
     ),
     open_now AS (
         SELECT s.stage, datediff('day', s.entered, ${date}) AS days, coalesce(o.amount, 0) AS amount
         FROM spells AS s JOIN opportunities AS o USING (opportunity_id)
         WHERE NOT coalesce(o.is_closed, false) AND s.left_at IS NULL
     )
     SELECT so.stage, so.stage_index::INTEGER AS "stageIndex",
            n.won_median AS "wonMedianDays", n.won_p75 AS "wonP75Days",
            count(o.days)::INTEGER AS "openDeals",
            quantile_cont(o.days, 0.5)::DOUBLE AS "openMedianDays",
            count(*) FILTER (WHERE o.days > n.won_p75)::INTEGER AS "openOverNorm",
            coalesce(sum(o.amount) FILTER (WHERE o.days > n.won_p75), 0)::DOUBLE AS "openOverNormAmount"
     FROM stage_order AS so
     LEFT JOIN won_norms AS n USING (stage)
     LEFT JOIN open_now AS o USING (stage)
     WHERE so.stage IS NOT NULL
     GROUP BY ALL ORDER BY "stageIndex"`,
  );

  const ageCase = AGE_BUCKETS.map((b, i) => (b.to === null ? `ELSE ${i}` : `WHEN age <= ${b.to} THEN ${i}`)).join(' ');
  const ageing = await queryRows<Omit<AgeingCell, 'ageBucket'>>(
    conn,
    `WITH stage_order(stage, stage_index) AS (VALUES ${stageValues}),
     open_deals AS (
         SELECT stage, datediff('day', created_date, ${date}) AS age, coalesce(amount, 0) AS amount
         FROM opportunities WHERE NOT coalesce(is_closed, false) AND created_date <= ${date}
     )
     SELECT (CASE ${ageCase} END)::INTEGER AS "ageOrder", d.stage, coalesce(so.stage_index, 99)::INTEGER AS "stageIndex",
            count(*)::INTEGER AS deals, sum(amount)::DOUBLE AS amount
     FROM open_deals AS d LEFT JOIN stage_order AS so USING (stage)
     GROUP BY ALL ORDER BY "ageOrder", "stageIndex"`,
  );

  // Funnel over closed deals only: an open deal has not yet had its chance to reach the later stages.
  const funnelRows = await queryRows<{ stage: string; stageIndex: number; deals: number }>(
    conn,
    `WITH ${spells},
     closed_deals AS (SELECT opportunity_id, is_won FROM opportunities WHERE is_closed AND close_date <= ${date}),
     furthest AS (
         SELECT c.opportunity_id, c.is_won, coalesce(max(so.stage_index), 0) AS reached
         FROM closed_deals AS c LEFT JOIN spells AS s USING (opportunity_id) LEFT JOIN stage_order AS so USING (stage)
         GROUP BY ALL
     )
     SELECT so.stage, so.stage_index::INTEGER AS "stageIndex",
            (SELECT count(*) FROM furthest WHERE reached >= so.stage_index OR is_won)::INTEGER AS deals
     FROM stage_order AS so WHERE so.stage IS NOT NULL
     UNION ALL
     SELECT 'Won', 1000, (SELECT count(*) FROM furthest WHERE is_won)::INTEGER
     ORDER BY "stageIndex"`,
  );
  const closedDeals = cycles.reduce((sum, row) => sum + row.deals, 0);
  const funnel: FunnelStep[] = funnelRows.map((row, i) => ({
    ...row,
    stageIndex: row.stage === 'Won' ? stages.length + 1 : row.stageIndex,
    share: closedDeals ? row.deals / closedDeals : 0,
    conversion: i === 0 ? null : funnelRows[i - 1]!.deals ? row.deals / funnelRows[i - 1]!.deals : null,
  }));

  return {
    stalled: { ...(await dealListTotal(conn, 'stalled')), rule: LIST_RULES.stalled },
    stalledMoves: await stalledDealMoves(conn, scoredAsOf),
    asOf,
    currency,
    closedDeals,
    cycles,
    cycleBins,
    cycleTrend: cycleTrend.map((point) => ({ ...point, label: quarterLabel(point.quarter) })),
    stageTimes,
    ageing: ageing.map((cell) => ({ ...cell, ageBucket: AGE_BUCKETS[cell.ageOrder]!.label })),
    funnel,
  };
}

function quarterLabel(iso: string): string {
  return `Q${Math.floor(Number(iso.slice(5, 7)) / 3) + 1} ${iso.slice(0, 4)}`;
}

await runLoaderAsScript(import.meta.url, 'pipeline', pipelineData);
