/**
 * The forecast-accuracy section of BENCHMARKS.md: each backtest run's quarter starts (read from the
 * `backtest` and `backtest_deals` tables `wuwei backtest` leaves in its database) are recorded in
 * bench/forecast-accuracy.json; the section pools them per variant and says for each issue #18
 * target whether it is met.
 *
 *   npx tsx bench/forecast-accuracy.ts --db G.duckdb --opportunities 10000 --seed 7 [--variant untidy]
 *
 * records (or replaces) one run; renderForecastAccuracy(readForecastAccuracy(repo)) is the section.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { queryRows, withDatabase } from '../pipeline/base/db.ts';
import { methodAccuracy, type JudgedPair } from '../pipeline/forecast/backtest-accuracy.ts';
import { forecastProbabilityColumn } from '../pipeline/forecast/backtest-tables.ts';
import { percent as pct, signedPercent as signed } from './percent.ts';
import { writeBenchmarks } from './render.ts';
import { readSections, SECTIONS_DIR, type SectionTarget, writeSection } from './sections.ts';

export const FORECAST_ACCURACY_FILE = 'bench/forecast-accuracy.json';

/** One backtested quarter start, company total. */
export interface QuarterRecord {
  quarter: string;
  actual: number;
  expected: number;
  p10: number;
  p90: number;
  weightedPipeline: number;
  repCommit: number;
  actualOpen: number;
  expectedOpen: number;
  actualNew: number;
  expectedNew: number;
  /**
   * The standard deviation of the actual if every open deal's win probability, amount and timing
   * were exactly right and deals independent: sqrt(sum q(1 - q) a^2), q = P(won in the quarter).
   */
  noiseSd: number;
}

export interface RunRecord {
  variant: 'tidy' | 'untidy';
  /** Which code, when runs of two versions are compared ('before' a fix); undefined: the current one. */
  label?: string;
  opportunities: number;
  seed: number;
  /** The code it ran: `git rev-parse --short HEAD` when recorded. */
  commit: string;
  quarters: QuarterRecord[];
  /** The open deals at quarter start, factor by factor (1 = unbiased; see openDealFactors). */
  factors: { probability: number; amount: number; timing: number };
}

export interface ForecastAccuracy {
  command: string;
  runs: RunRecord[];
}

export function readForecastAccuracy(repo: string): ForecastAccuracy | null {
  const path = join(repo, FORECAST_ACCURACY_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ForecastAccuracy) : null;
}

/** Reads one backtest run's quarter starts from the database `wuwei backtest` wrote. */
export async function readBacktestRun(
  dbPath: string,
  run: Omit<RunRecord, 'quarters' | 'factors'>,
): Promise<RunRecord> {
  return withDatabase(dbPath, async (conn) => {
    const probability = await forecastProbabilityColumn(conn);
    const quarters = await queryRows<QuarterRecord>(
      conn,
      `WITH noise AS (
          SELECT period_label, sqrt(sum(q * (1 - q) * expected_amount * expected_amount)) AS sd
          FROM (SELECT period_label, expected_amount, ${probability} * close_in_period AS q FROM backtest_deals WHERE weeks_into_period = 0)
          GROUP BY period_label)
       SELECT period_label AS quarter, actual, expected, p10, p90, won_to_date + weighted_pipeline AS "weightedPipeline",
              won_to_date + rep_commit AS "repCommit", actual_open AS "actualOpen", expected_open AS "expectedOpen",
              actual_new AS "actualNew", expected_new AS "expectedNew", coalesce(noise.sd, 0)::DOUBLE AS "noiseSd"
       FROM backtest LEFT JOIN noise USING (period_label)
       WHERE segment_type = 'all' AND weeks_into_period = 0 ORDER BY period_start`,
    );
    const [factors] = await queryRows<RunRecord['factors']>(
      conn,
      `SELECT sum(${probability}) FILTER (WHERE won IS NOT NULL) / count(*) FILTER (WHERE won) AS probability,
              sum(expected_amount) FILTER (WHERE won) / sum(final_amount) FILTER (WHERE won) AS amount,
              sum(close_in_period) FILTER (WHERE won) / count(*) FILTER (WHERE won_in_period) AS timing
       FROM backtest_deals WHERE weeks_into_period = 0`,
    );
    return { ...run, quarters, factors: factors! };
  });
}

/** The rendered section (markdown lines), pooled per variant. */
export function renderForecastAccuracy(record: ForecastAccuracy | null): string[] {
  if (!record || record.runs.length === 0) return [];
  const lines = [`Recorded with \`${record.command}\` after each \`wuwei backtest --quarters 6 --week-step 0\`.`];
  const groups = [...new Set(record.runs.map(groupOf))];
  for (const group of groups) {
    const runs = record.runs.filter((run) => groupOf(run) === group);
    const quarters = runs.flatMap((run) => run.quarters);
    const { wuwei, weighted, commit, open, fresh, floor } = judgeGroup(runs);
    const met = (ok: boolean) => (ok ? 'yes' : '**no**');
    lines.push(
      '',
      `### ${group}: ${quarters.length} quarter starts, ${runs.map(runLabel).join(', ')}`,
      '',
      '| target | measured | met |',
      '|---|---|---|',
      `| WAPE at most half the weighted pipeline's | Wuwei ${pct(wuwei.wape)} vs weighted pipeline ${pct(weighted.wape)} (noise floor of an exact forecast ≈ ${pct(floor)}) | ${met(wuwei.wape <= weighted.wape / 2)} |`,
      `| WAPE below the reps' commit | ${pct(wuwei.wape)} vs ${pct(commit.wape)} | ${met(wuwei.wape < commit.wape)} |`,
      `| bias within ±3% | ${signed(wuwei.bias)} (weighted pipeline ${signed(weighted.bias)}) | ${met(Math.abs(wuwei.bias) <= 0.03)} |`,
      `| P10–P90 coverage 70–90% | ${pct(wuwei.rangeCoverage!, 0)}, width ${pct(wuwei.rangeWidth!, 0)} of the actual | ${met(wuwei.rangeCoverage! >= 0.7 && wuwei.rangeCoverage! <= 0.9)} |`,
      '',
      `Where the error comes from: open deals bias ${signed(open.bias)} (WAPE ${pct(open.wape)}), deals not yet created ${signed(fresh.bias)} (WAPE ${pct(fresh.wape)}); won to date is known.`,
      '',
      levelCorrectionLine(runs),
      '',
      '| run | Wuwei WAPE / bias | weighted pipeline WAPE / bias | P10–P90 holds | open deals: probability × amount × timing | who wins |',
      '|---|---|---|---|---|---|',
      ...runs.map((run) => {
        const one = (pair: (q: QuarterRecord) => JudgedPair) => methodAccuracy('', run.quarters.map(pair));
        const w = one((q) => ({ actual: q.actual, forecast: q.expected, p10: q.p10, p90: q.p90 }));
        const b = one((q) => ({ actual: q.actual, forecast: q.weightedPipeline }));
        const f = run.factors;
        return `| ${runLabel(run)} (${run.commit}) | ${pct(w.wape)} / ${signed(w.bias)} | ${pct(b.wape)} / ${signed(b.bias)} | ${Math.round(w.rangeCoverage! * w.periods)} of ${w.periods} | ×${f.probability.toFixed(3)} × ${f.amount.toFixed(3)} × ${f.timing.toFixed(3)} | ${w.wape < b.wape ? 'Wuwei' : 'weighted pipeline'} |`;
      }),
    );
  }
  return lines;
}

/** Wuwei, the CRM's baselines and the forecast's parts, judged over a group's pooled quarter starts. */
function judgeGroup(runs: RunRecord[]) {
  const quarters = runs.flatMap((run) => run.quarters);
  const judge = (method: string, pair: (q: QuarterRecord) => JudgedPair) => methodAccuracy(method, quarters.map(pair));
  const total = quarters.reduce((sum, q) => sum + q.actual, 0);
  return {
    wuwei: judge('wuwei', (q) => ({ actual: q.actual, forecast: q.expected, p10: q.p10, p90: q.p90 })),
    weighted: judge('weighted_pipeline', (q) => ({ actual: q.actual, forecast: q.weightedPipeline })),
    commit: judge('rep_commit', (q) => ({ actual: q.actual, forecast: q.repCommit })),
    open: judge('open', (q) => ({ actual: q.actualOpen, forecast: q.expectedOpen })),
    fresh: judge('new', (q) => ({ actual: q.actualNew, forecast: q.expectedNew })),
    // an exact forecast's expected absolute error is sqrt(2 / pi) sd
    floor: quarters.reduce((sum, q) => sum + Math.sqrt(2 / Math.PI) * q.noiseSd, 0) / total,
  };
}

/** Issue #18's targets on a group's pooled quarter starts, for the Targets table. */
function groupTargets(runs: RunRecord[]): SectionTarget[] {
  const { wuwei, weighted, commit } = judgeGroup(runs);
  const coverage = wuwei.rangeCoverage!;
  return [
    {
      target: "Forecast: WAPE at most half the weighted pipeline's",
      measured: `${pct(wuwei.wape)} vs ${pct(weighted.wape)}`,
      met: wuwei.wape <= weighted.wape / 2,
    },
    {
      target: "Forecast: WAPE below the reps' commit",
      measured: `${pct(wuwei.wape)} vs ${pct(commit.wape)}`,
      met: wuwei.wape < commit.wape,
    },
    { target: 'Forecast: bias within ±3%', measured: signed(wuwei.bias), met: Math.abs(wuwei.bias) <= 0.03 },
    {
      target: 'Forecast: P10–P90 coverage 70–90%',
      measured: pct(coverage, 0),
      met: coverage >= 0.7 && coverage <= 0.9,
    },
  ];
}

/**
 * A learned correction judged out of time, offline (not in the pipeline): each quarter's open-deal
 * part divided by the mean ratio (forecast / won) of the open-deal parts of the run's earlier
 * quarters, all of which had ended by its as-of date. The first quarter of each run has no past and is
 * left out of both sides of the comparison.
 */
export function levelCorrected(runs: RunRecord[]): {
  raw: JudgedPair[];
  corrected: JudgedPair[];
  weighted: JudgedPair[];
} {
  const out = { raw: [] as JudgedPair[], corrected: [] as JudgedPair[], weighted: [] as JudgedPair[] };
  for (const run of runs) {
    run.quarters.forEach((q, k) => {
      if (k === 0) return;
      const past = run.quarters.slice(0, k).map((p) => p.expectedOpen / p.actualOpen);
      const level = past.reduce((sum, r) => sum + r, 0) / past.length;
      out.raw.push({ actual: q.actual, forecast: q.expected });
      out.corrected.push({ actual: q.actual, forecast: q.expected - q.expectedOpen + q.expectedOpen / level });
      out.weighted.push({ actual: q.actual, forecast: q.weightedPipeline });
    });
  }
  return out;
}

function levelCorrectionLine(runs: RunRecord[]): string {
  const { raw, corrected, weighted } = levelCorrected(runs);
  if (corrected.length === 0) return '';
  const [r, c, w] = [raw, corrected, weighted].map((pairs) => methodAccuracy('', pairs));
  return (
    `A learned level correction, judged out of time offline (not in the pipeline): dividing each quarter's open-deal part by the mean forecast/won ratio ` +
    `of the earlier quarters' open-deal parts gives, over the ${c!.periods} quarters that have a past, WAPE ${pct(c!.wape)} and bias ${signed(c!.bias)} ` +
    `against ${pct(r!.wape)} and ${signed(r!.bias)} uncorrected (weighted pipeline ${pct(w!.wape)}).`
  );
}

function groupOf(run: RunRecord): string {
  return `${run.variant === 'tidy' ? 'Tidy generator' : 'Untidy-reps variant (`--untidy-reps`)'}${run.label ? ` (${run.label})` : ''}`;
}

function runLabel(run: RunRecord): string {
  return `${run.opportunities >= 1000 ? `${run.opportunities / 1000}k` : run.opportunities} seed ${run.seed}`;
}

async function main(argv: string[]): Promise<void> {
  const options = new Command()
    .requiredOption('--db <file>', 'a database `wuwei backtest` ran on')
    .requiredOption('--opportunities <n>', 'the export size', Number)
    .requiredOption('--seed <n>', 'the generator seed', Number)
    .option('--variant <name>', 'tidy or untidy', 'tidy')
    .option('--commit <sha>', 'the code it ran', 'unknown')
    .option('--label <text>', "which code, when two versions are compared (e.g. 'before')")
    .option('--repo <dir>', 'repository root', process.cwd())
    .parse(argv)
    .opts<{
      db: string;
      opportunities: number;
      seed: number;
      variant: 'tidy' | 'untidy';
      commit: string;
      label?: string;
      repo: string;
    }>();
  const run = await readBacktestRun(options.db, {
    variant: options.variant,
    opportunities: options.opportunities,
    seed: options.seed,
    commit: options.commit,
    ...(options.label ? { label: options.label } : {}),
  });
  const record = readForecastAccuracy(options.repo) ?? {
    command: 'npx tsx bench/forecast-accuracy.ts --db G.duckdb --opportunities N --seed S',
    runs: [],
  };
  const same = (r: RunRecord) =>
    groupOf(r) === groupOf(run) && r.opportunities === run.opportunities && r.seed === run.seed;
  record.runs = [...record.runs.filter((r) => !same(r)), run].sort(
    (a, b) => groupOf(a).localeCompare(groupOf(b)) || a.opportunities - b.opportunities || a.seed - b.seed,
  );
  writeFileSync(join(options.repo, FORECAST_ACCURACY_FILE), `${JSON.stringify(record, null, 2)}\n`);
  recordForecastSection(options.repo, record);
  writeBenchmarks(options.repo);
}

/** Subsections measured by hand before the recorder existed, kept under the recorded ones. */
const HAND_KEPT_FROM = '### The untidy-reps variant';

/**
 * The section in bench/results/: the recorded runs rendered, the first group's targets judged, and the
 * hand-kept subsections of the previous record carried over.
 */
export function recordForecastSection(repo: string, record: ForecastAccuracy): void {
  const dir = join(repo, SECTIONS_DIR);
  const previous = readSections(dir).find((s) => s.id === SECTION_ID)?.section.markdown ?? '';
  const kept = previous.includes(HAND_KEPT_FROM) ? previous.slice(previous.indexOf(HAND_KEPT_FROM)) : '';
  const [first] = [...new Set(record.runs.map(groupOf))];
  const targets = first ? groupTargets(record.runs.filter((run) => groupOf(run) === first)) : [];
  writeSection(dir, SECTION_ID, {
    title: 'Forecast accuracy (backtest)',
    order: 30,
    recordedAt: new Date().toISOString(),
    command: `\`${record.command}\``,
    targets,
    markdown: [...renderForecastAccuracy(record), '', kept].join('\n'),
  });
}

const SECTION_ID = 'forecast-accuracy';

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv);
