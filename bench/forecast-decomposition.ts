/**
 * Where each backtested quarter's forecast error comes from (issue #18), by substitution over the
 * tables `wuwei backtest` leaves (`backtest`, `backtest_deals`), company total at quarter start.
 * Each open deal's part of the forecast is win probability p x expected amount a x P(closes in the
 * quarter if won) t; each factor is replaced by what happened:
 *   p -> 1 if the deal won (still open at the export's end counts as not won),
 *   a -> its final amount (won deals; a lost deal's amount books nothing once p is right),
 *   t -> 1 if it was won inside the quarter, else 0 (won deals; t is conditional on winning),
 * and the deals not yet created (new) -> what they won. With every factor replaced the forecast is
 * what was won. Printed per run: the WAPE and bias with one factor replaced at a time, and each
 * factor's share of the quarter's error (Shapley over p, a, t: the mean over the orders of
 * replacing them, so the shares add up to the open deals' error; new is additive).
 *
 *   npx tsx bench/forecast-decomposition.ts G7.duckdb G31.duckdb G59.duckdb
 */
import { queryRows, withDatabase } from '../pipeline/base/db.ts';
import { methodAccuracy } from '../pipeline/forecast/backtest-accuracy.ts';
import { percent, signedPercent } from './percent.ts';
import { forecastProbabilityColumn } from '../pipeline/forecast/backtest-tables.ts';

interface QuarterParts {
  quarter: string;
  actual: number;
  wonToDate: number;
  expectedOpen: number;
  expectedNew: number;
  actualNew: number;
  /** Σ p a t over the open deals with each subset of factors replaced, keyed 'pat' with uppercase = replaced. */
  open: Record<string, number>;
}

const FACTORS = ['p', 'a', 't'] as const;

/** The 8 subsets of replaced factors as keys ('pat', 'Pat', ..., 'PAT'). */
const SUBSETS = Array.from({ length: 8 }, (_, mask) =>
  FACTORS.map((f, k) => (mask & (1 << k) ? f.toUpperCase() : f)).join(''),
);
/** A key's SQL alias: SQL names ignore case, so 'Pat' is written r100. */
const aliasOf = (key: string) => `r${[...key].map((c) => (c === c.toUpperCase() ? 1 : 0)).join('')}`;

export async function readQuarterParts(dbPath: string): Promise<QuarterParts[]> {
  return withDatabase(dbPath, async (conn) => {
    const probability = await forecastProbabilityColumn(conn);
    const term = (key: string) => {
      const p = key[0] === 'P' ? 'coalesce(won, false)::INT' : probability;
      const a = key[1] === 'A' ? 'CASE WHEN won THEN final_amount ELSE expected_amount END' : 'expected_amount';
      const t = key[2] === 'T' ? 'CASE WHEN won THEN won_in_period::INT ELSE close_in_period END' : 'close_in_period';
      return `sum(${p} * ${a} * ${t})::DOUBLE AS ${aliasOf(key)}`;
    };
    const rows = await queryRows<Record<string, number | string>>(
      conn,
      `WITH open AS (
          SELECT period_label, ${SUBSETS.map(term).join(', ')}
          FROM backtest_deals WHERE weeks_into_period = 0 GROUP BY period_label)
       SELECT b.period_label AS quarter, actual, won_to_date, expected_open, expected_new, actual_new, open.*
       FROM backtest AS b JOIN open USING (period_label)
       WHERE segment_type = 'all' AND weeks_into_period = 0 ORDER BY period_start`,
    );
    return rows.map((row) => ({
      quarter: String(row.quarter),
      actual: Number(row.actual),
      wonToDate: Number(row.won_to_date),
      expectedOpen: Number(row.expected_open),
      expectedNew: Number(row.expected_new),
      actualNew: Number(row.actual_new),
      open: Object.fromEntries(SUBSETS.map((key) => [key, Number(row[aliasOf(key)])])),
    }));
  });
}

/** The quarter's forecast with the open-deal factors in `key` replaced, and the new deals if `fresh`. */
function forecastWith(q: QuarterParts, key: string, fresh: boolean): number {
  // the forecast's own open-deal sum, moved by what the replacement changes in Σ p a t
  return q.wonToDate + q.expectedOpen + (q.open[key]! - q.open.pat!) + (fresh ? q.actualNew : q.expectedNew);
}

/** Each factor's Shapley share of the open deals' error, Σ p a t (all replaced) − Σ p a t (none) reversed in sign. */
function shapley(q: QuarterParts): Record<(typeof FACTORS)[number], number> {
  const out = { p: 0, a: 0, t: 0 };
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  for (const order of orders) {
    const replaced = new Set<number>();
    const keyOf = () => FACTORS.map((f, k) => (replaced.has(k) ? f.toUpperCase() : f)).join('');
    for (const k of order) {
      const before = q.open[keyOf()]!;
      replaced.add(k);
      // the error this factor carries = what replacing it removes
      out[FACTORS[k]!] += (before - q.open[keyOf()]!) / orders.length;
    }
  }
  return out;
}

/** WAPE and bias as the backtest judges them (backtest-accuracy.ts). */
function judge(quarters: QuarterParts[], forecast: (q: QuarterParts) => number): { wape: number; bias: number } {
  return methodAccuracy(
    '',
    quarters.map((q) => ({ actual: q.actual, forecast: forecast(q) })),
  );
}

/** Markdown lines: per quarter the error and its shares, then the run's WAPE / bias with each factor replaced. */
export function decompositionLines(name: string, quarters: QuarterParts[]): string[] {
  const lines = [
    `#### ${name}`,
    '',
    '| quarter | error | win p | amount | timing | new deals | rest |',
    '|---|---|---|---|---|---|---|',
  ];
  const parts = (q: QuarterParts) => {
    const error = forecastWith(q, 'pat', false) - q.actual;
    const share = shapley(q);
    const fresh = q.expectedNew - q.actualNew;
    return [error, share.p, share.a, share.t, fresh, error - share.p - share.a - share.t - fresh];
  };
  const totals = [0, 0, 0, 0, 0, 0];
  for (const q of quarters) {
    const values = parts(q);
    values.forEach((v, k) => {
      totals[k]! += v;
    });
    lines.push(`| ${q.quarter} | ${values.map((v) => signedPercent(v / q.actual)).join(' | ')} |`);
  }
  // the pooled bias, split the same way (Σ part / Σ actual)
  const total = quarters.reduce((sum, q) => sum + q.actual, 0);
  lines.push(`| all (bias) | ${totals.map((v) => signedPercent(v / total)).join(' | ')} |`);
  const variants: [string, (q: QuarterParts) => number][] = [
    ['as forecast', (q) => forecastWith(q, 'pat', false)],
    ['win p replaced', (q) => forecastWith(q, 'Pat', false)],
    ['amount replaced', (q) => forecastWith(q, 'pAt', false)],
    ['timing replaced', (q) => forecastWith(q, 'paT', false)],
    ['new deals replaced', (q) => forecastWith(q, 'pat', true)],
    ['open deals replaced (p, a, t)', (q) => forecastWith(q, 'PAT', false)],
  ];
  lines.push('', '| forecast | WAPE | bias |', '|---|---|---|');
  for (const [label, forecast] of variants) {
    const { wape, bias } = judge(quarters, forecast);
    lines.push(`| ${label} | ${percent(wape)} | ${signedPercent(bias)} |`);
  }
  return lines;
}

async function main(paths: string[]): Promise<void> {
  const all: QuarterParts[] = [];
  for (const path of paths) {
    const quarters = await readQuarterParts(path);
    all.push(...quarters);
    console.log([...decompositionLines(path, quarters), ''].join('\n'));
  }
  if (paths.length > 1) {
    const lines = decompositionLines('pooled', all).slice(-9);
    console.log(['#### pooled', ...lines].join('\n'));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
