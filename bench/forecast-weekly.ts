/**
 * The "as the quarter goes by" section of BENCHMARKS.md: each method's accuracy at the quarter start
 * and every few weeks into it, pooled over the backtested quarters of one or more runs, read from the
 * `backtest` table that `wuwei backtest --week-step N` leaves in its database (company totals only).
 *
 *   npx tsx bench/forecast-weekly.ts --db G7.duckdb --db G31.duckdb --opportunities 50000 --seeds 7,31 --command "…"
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { queryRows, withDatabase } from '../pipeline/base/db.ts';
import { BACKTEST_METHODS, methodAccuracy } from '../pipeline/forecast/backtest-accuracy.ts';
import type { BacktestRow } from '../pipeline/forecast/backtest-rows.ts';
import { percent, signedPercent } from './percent.ts';
import { recordSection } from './render.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const pct = (share: number | null) => (share === null ? '–' : percent(share));

/** The section's table: one row per week into the quarter, every run's quarters pooled. */
export function renderWeeklyAccuracy(rows: readonly BacktestRow[]): string[] {
  const weeks = [...new Set(rows.map((r) => r.weeks_into_period))].sort((a, b) => a - b);
  return [
    "| weeks into the quarter | quarters | Wuwei WAPE | Wuwei bias | P10–P90 held | range width | weighted pipeline + won WAPE | reps' commit + won WAPE |",
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...weeks.map((week) => {
      const atWeek = rows.filter((r) => r.weeks_into_period === week);
      const judged = (method: keyof typeof BACKTEST_METHODS) =>
        methodAccuracy(method, atWeek.map(BACKTEST_METHODS[method]!));
      const w = judged('wuwei');
      const held = w.rangeCoverage === null ? '–' : `${Math.round(w.rangeCoverage * w.periods)} of ${w.periods}`;
      return `| ${week} | ${w.periods} | ${pct(w.wape)} | ${signedPercent(w.bias)} | ${held} | ${pct(w.rangeWidth)} | ${pct(judged('weighted_pipeline').wape)} | ${pct(judged('rep_commit').wape)} |`;
    }),
  ];
}

async function main(argv: string[]): Promise<void> {
  const options = new Command('forecast-weekly')
    .requiredOption('--db <file...>', 'databases after `wuwei backtest --week-step N`')
    .requiredOption('--opportunities <n>', 'the exports size, for the record')
    .requiredOption('--seeds <list>', 'the generator seeds, for the record')
    .requiredOption('--command <text>', 'the backtest commands that made the databases, for the record')
    .parse(argv)
    .opts();
  const rows: BacktestRow[] = [];
  for (const db of options.db as string[])
    rows.push(
      ...(await withDatabase(
        db,
        (conn) => queryRows<BacktestRow>(conn, `SELECT * FROM backtest WHERE segment_type = 'all'`),
        { readOnly: true },
      )),
    );
  const markdown = [
    `${Number(options.opportunities).toLocaleString('en-US')} opportunities, seeds ${options.seeds}: \`${options.command}\`.`,
    'Company totals; each baseline adds what was already won in the quarter to its forecast, as Wuwei does.',
    "WAPE and bias pool every run's backtested quarters at each week; the range is Wuwei's P10–P90.",
    '',
    ...renderWeeklyAccuracy(rows),
  ].join('\n');
  recordSection(repo, 'forecast-weekly', {
    title: 'Forecast accuracy as the quarter goes by',
    order: 31,
    command:
      '`npx tsx bench/forecast-weekly.ts --db G.duckdb [--db …] --opportunities N --seeds S --command "…"` after the backtests below',
    targets: [],
    markdown,
  });
  process.stdout.write(`${markdown}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv);
