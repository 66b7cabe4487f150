/**
 * An offline trial of a learned correction, judged out of time (issue 18): each backtested quarter
 * start's open deals have their win probabilities scaled, per stage, by won / expected over the open
 * deals of the earlier quarter starts of the same run that closed before this quarter starts (point
 * in time: the outcomes known then), and the quarter's total is recomputed. Read from the `backtest`
 * and `backtest_deals` tables of `wuwei backtest` databases; the stage at the quarter start from
 * `opportunity_history`. Prints WAPE and bias with
 * and without the correction, and the weighted pipeline's, over the quarters that have a past.
 *
 *   npx tsx bench/forecast-stage-correction.ts --db G7.duckdb --db G31.duckdb …
 */
import { Command } from 'commander';
import { queryRows, withDatabase } from '../pipeline/base/db.ts';
import { methodAccuracy } from '../pipeline/forecast/backtest-accuracy.ts';
import { percent, signedPercent } from './percent.ts';

/** An open deal at a backtested quarter start. */
export interface StartDeal {
  quarter: string;
  stage: string | null;
  winProbability: number;
  closeInPeriod: number;
  expectedAmount: number;
  /** Known by the run's as-of date, else null. */
  won: boolean | null;
  /** The day it closed (ISO date), null while open at the run's as-of date. */
  closedOn: string | null;
}

/** A backtested quarter start's company total, quarters in time order. */
export interface StartTotal {
  quarter: string;
  /** The quarter's first day (ISO date): outcomes known before it may correct it. */
  start: string;
  actual: number;
  expected: number;
  weightedPipeline: number;
}

export interface CorrectedTotal extends StartTotal {
  corrected: number;
  /** Whether earlier quarters gave the correction anything to learn from. */
  hasPast: boolean;
}

/**
 * Each quarter's total with its open deals' win probabilities scaled per stage (capped at 1) by the
 * earlier quarters' won / expected in that stage, over their deals closed before the quarter starts;
 * a stage the past never saw keeps its probabilities.
 */
export function stageCorrected(totals: readonly StartTotal[], deals: readonly StartDeal[]): CorrectedTotal[] {
  return totals.map((total, k) => {
    const earlier = new Set(totals.slice(0, k).map((t) => t.quarter));
    const sums = new Map<string, { won: number; expected: number }>();
    for (const deal of deals) {
      if (!earlier.has(deal.quarter) || deal.won === null || deal.closedOn === null || deal.closedOn >= total.start)
        continue;
      const stage = deal.stage ?? '';
      const sum = sums.get(stage) ?? { won: 0, expected: 0 };
      sum.won += deal.won ? 1 : 0;
      sum.expected += deal.winProbability;
      sums.set(stage, sum);
    }
    const factor = (stage: string | null) => {
      const sum = sums.get(stage ?? '');
      return sum && sum.expected > 0 ? sum.won / sum.expected : 1;
    };
    let open = 0;
    let corrected = 0;
    for (const deal of deals) {
      if (deal.quarter !== total.quarter) continue;
      const booked = deal.closeInPeriod * deal.expectedAmount;
      open += deal.winProbability * booked;
      corrected += Math.min(1, deal.winProbability * factor(deal.stage)) * booked;
    }
    return { ...total, corrected: total.expected - open + corrected, hasPast: sums.size > 0 };
  });
}

async function main(argv: string[]): Promise<void> {
  const options = new Command('forecast-stage-correction')
    .requiredOption('--db <file...>', 'databases after `wuwei backtest`')
    .parse(argv)
    .opts();
  const rows: CorrectedTotal[] = [];
  for (const db of options.db as string[])
    await withDatabase(
      db,
      async (conn) => {
        const totals = await queryRows<StartTotal>(
          conn,
          `SELECT period_label AS quarter, strftime(period_start, '%Y-%m-%d') AS start, actual::DOUBLE AS actual, expected::DOUBLE AS expected,
                  (won_to_date + weighted_pipeline)::DOUBLE AS "weightedPipeline"
           FROM backtest WHERE weeks_into_period = 0 AND segment_type = 'all' ORDER BY period_start`,
        );
        const deals = await queryRows<StartDeal>(
          conn,
          `SELECT d.period_label AS quarter,
                  (SELECT h.stage FROM opportunity_history AS h WHERE h.opportunity_id = d.opportunity_id AND h.changed_at <= d.as_of
                   ORDER BY h.changed_at DESC LIMIT 1) AS stage,
                  d.win_probability::DOUBLE AS "winProbability", d.close_in_period::DOUBLE AS "closeInPeriod",
                  d.expected_amount::DOUBLE AS "expectedAmount", d.won,
                  CASE WHEN o.is_closed THEN strftime(o.close_date, '%Y-%m-%d') END AS "closedOn"
           FROM backtest_deals AS d JOIN opportunities AS o USING (opportunity_id) WHERE d.weeks_into_period = 0`,
        );
        rows.push(...stageCorrected(totals, deals));
      },
      { readOnly: true },
    );
  const withPast = rows.filter((r) => r.hasPast);
  for (const [label, forecast] of [
    ['Wuwei', (r: CorrectedTotal) => r.expected],
    ['Wuwei, stage-corrected', (r: CorrectedTotal) => r.corrected],
    ['weighted pipeline + won', (r: CorrectedTotal) => r.weightedPipeline],
  ] as const) {
    const judged = methodAccuracy(
      label,
      withPast.map((r) => ({ actual: r.actual, forecast: forecast(r) })),
    );
    process.stdout.write(
      `${label}: WAPE ${percent(judged.wape)}, bias ${signedPercent(judged.bias)} over ${withPast.length} quarters\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv);
