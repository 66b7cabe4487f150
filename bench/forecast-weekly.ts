/**
 * The "as the quarter goes by" section of BENCHMARKS.md: each method's accuracy at the quarter start
 * and every few weeks into it, pooled over the backtested quarters, read from the `backtest_accuracy`
 * table that `wuwei backtest --week-step N` leaves in its database (company totals only).
 *
 *   npx tsx bench/forecast-weekly.ts --db G.duckdb --opportunities 50000 --seed 7 --command "…"
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { queryRows, withDatabase } from '../pipeline/base/db.ts';
import { recordSection } from './render.ts';

interface WeekAccuracy {
  method: string;
  weeks: number;
  periods: number;
  wape: number;
  bias: number;
  coverage: number | null;
  width: number | null;
}

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const METHODS = { wuwei: 'Wuwei', weighted_pipeline: 'weighted pipeline + won', rep_commit: "reps' commit + won" };

const pct = (share: number | null) => (share === null ? '–' : `${(share * 100).toFixed(1)}%`);
const signed = (share: number) => `${share >= 0 ? '+' : '−'}${Math.abs(share * 100).toFixed(1)}%`;

/** The section's table: one row per week into the quarter. */
export function renderWeeklyAccuracy(rows: readonly WeekAccuracy[]): string[] {
  const weeks = [...new Set(rows.map((r) => r.weeks))].sort((a, b) => a - b);
  const at = (method: string, week: number) => rows.find((r) => r.method === method && r.weeks === week);
  return [
    "| weeks into the quarter | quarters | Wuwei WAPE | Wuwei bias | P10–P90 held | range width | weighted pipeline + won WAPE | reps' commit + won WAPE |",
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...weeks.map((week) => {
      const w = at('wuwei', week);
      const wp = at('weighted_pipeline', week);
      const rc = at('rep_commit', week);
      return `| ${week} | ${w?.periods ?? 0} | ${pct(w?.wape ?? null)} | ${w ? signed(w.bias) : '–'} | ${pct(w?.coverage ?? null)} | ${pct(w?.width ?? null)} | ${pct(wp?.wape ?? null)} | ${pct(rc?.wape ?? null)} |`;
    }),
  ];
}

async function main(argv: string[]): Promise<void> {
  const options = new Command('forecast-weekly')
    .requiredOption('--db <file>', 'a database after `wuwei backtest --week-step N`')
    .requiredOption('--opportunities <n>', 'the export size, for the record')
    .requiredOption('--seed <n>', 'the generator seed, for the record')
    .requiredOption('--command <text>', 'the backtest command that made the database, for the record')
    .parse(argv)
    .opts();
  const rows = await withDatabase(
    options.db,
    (conn) =>
      queryRows<WeekAccuracy>(
        conn,
        `SELECT method, weeks_into_period AS weeks, periods, wape, bias, range_coverage AS coverage, range_width AS width
         FROM backtest_accuracy WHERE segment_type = 'all' AND method IN (${Object.keys(METHODS)
           .map((m) => `'${m}'`)
           .join(', ')}) ORDER BY weeks, method`,
      ),
    { readOnly: true },
  );
  const markdown = [
    `${Number(options.opportunities).toLocaleString('en-US')} opportunities, seed ${options.seed}: \`${options.command}\`. Company totals; each`,
    'baseline adds what was already won in the quarter to its forecast, as Wuwei does. WAPE and bias pool the',
    "backtested quarters at each week; the range is Wuwei's P10–P90.",
    '',
    ...renderWeeklyAccuracy(rows),
  ].join('\n');
  recordSection(repo, 'forecast-weekly', {
    title: 'Forecast accuracy as the quarter goes by',
    order: 31,
    command:
      '`npx tsx bench/forecast-weekly.ts --db G.duckdb --opportunities N --seed S --command "…"` after the backtest below',
    targets: [],
    markdown,
  });
  process.stdout.write(`${markdown}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv);
