/**
 * Measures how a generated export looks to someone who knows real CRMs: stage funnel, win rate,
 * cycle length by segment, deal size, contacts per account, activities per deal and their timing.
 * `npx tsx pipeline/generate/realism.ts` generates the default data set in a temporary folder and
 * rewrites the figures section of README.md beside this file; a test fails when that section is stale.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { queryRows, quoteLiteral, withDatabase } from '../base/db.ts';
import { quietLogger } from '../base/log.ts';
import { generate, GENERATE_DEFAULTS } from './index.ts';
import { OPEN_STAGES, WON_STAGE } from './process.ts';

type Row = Record<string, number | string>;

export interface RealismFigures {
  deals: number;
  seed: number;
  asOf: string;
  closed: number;
  winRate: number;
  /** Closed deals that reached each stage (as their last open stage or beyond). */
  funnel: { stage: string; reached: number; share: number }[];
  /** Days from creation to close, closed deals, by segment. */
  cycle: Row[];
  /** Won amounts, by segment and overall. */
  dealSize: Row[];
  contactsPerAccount: Row[];
  activitiesPerDeal: Row[];
  /** Share of a closed deal's activities in each fifth of its life. */
  activityByLifeFifth: number[];
  activityTiming: Row;
  /** AUC of ground_truth.csv's true_win_probability on the deals open at the cut, against how they ended: the ceiling for any model. */
  oracleAuc: number;
  openAtCut: number;
}

/** The figures of an export folder, all in DuckDB SQL over the exported CSV files. */
export async function measureRealism(
  dir: string,
  generated: { deals: number; seed: number; asOf: string },
): Promise<RealismFigures> {
  const file = (name: string) => `read_csv(${quoteLiteral(join(dir, `${name}.csv`))}, header = true)`;
  return withDatabase(':memory:', async (conn) => {
    await conn.run(
      `CREATE TEMP TABLE o AS SELECT o.*, a.segment FROM ${file('opportunities')} AS o JOIN ${file('accounts')} AS a USING (account_id)`,
    );
    await conn.run(
      `CREATE TEMP TABLE closed AS SELECT *, datediff('day', created_date, close_date) AS cycle_days FROM o WHERE is_closed`,
    );
    const [totals] = await queryRows<{ closed: number; win_rate: number }>(
      conn,
      `SELECT count(*)::INTEGER AS closed, avg(is_won::INTEGER)::DOUBLE AS win_rate FROM closed`,
    );

    const stageIndex = OPEN_STAGES.map((s, i) => `WHEN ${quoteLiteral(s.name)} THEN ${i}`).join(' ');
    const funnelRows = await queryRows<{ furthest: number; n: number }>(
      conn,
      `SELECT furthest::INTEGER AS furthest, count(*)::INTEGER AS n FROM (
         SELECT opportunity_id, max(CASE stage ${stageIndex} WHEN ${quoteLiteral(WON_STAGE)} THEN ${OPEN_STAGES.length} ELSE -1 END) AS furthest
         FROM ${file('opportunity_history')} WHERE opportunity_id IN (SELECT opportunity_id FROM closed) GROUP BY 1)
       GROUP BY 1`,
    );
    const funnel = [...OPEN_STAGES.map((s) => s.name), WON_STAGE].map((stage, i) => {
      const reached = funnelRows.filter((r) => r.furthest >= i).reduce((sum, r) => sum + r.n, 0);
      return { stage, reached, share: round(reached / totals!.closed, 3) };
    });

    const quantiles = (expression: string) =>
      `count(*)::INTEGER AS n, round(quantile_cont(${expression}, 0.5))::INTEGER AS median, round(avg(${expression}))::INTEGER AS mean,
       round(quantile_cont(${expression}, 0.9))::INTEGER AS p90, round(quantile_cont(${expression}, 0.99))::INTEGER AS p99, max(${expression})::INTEGER AS max`;
    const bySegment = `CASE segment WHEN 'enterprise' THEN 1 WHEN 'mid_market' THEN 2 ELSE 3 END`;
    const cycle = await queryRows<Row>(
      conn,
      `SELECT segment, ${quantiles('cycle_days')} FROM closed GROUP BY segment ORDER BY ${bySegment}`,
    );
    const dealSize = await queryRows<Row>(
      conn,
      `SELECT * FROM (
         SELECT segment, ${quantiles('amount')} FROM closed WHERE is_won GROUP BY segment
         UNION ALL SELECT 'all' AS segment, ${quantiles('amount')} FROM closed WHERE is_won)
       ORDER BY CASE segment WHEN 'all' THEN 4 ELSE ${bySegment} END`,
    );
    const contactsPerAccount = await queryRows<Row>(
      conn,
      `SELECT segment, count(*)::INTEGER AS accounts, min(n)::INTEGER AS min, round(avg(n), 1)::DOUBLE AS mean, max(n)::INTEGER AS max
       FROM (SELECT a.account_id, a.segment, count(c.contact_id) AS n FROM ${file('accounts')} AS a LEFT JOIN ${file('contacts')} AS c USING (account_id) GROUP BY ALL)
       GROUP BY segment ORDER BY ${bySegment}`,
    );
    await conn.run(
      `CREATE TEMP TABLE deal_activity AS
       SELECT closed.opportunity_id, closed.segment, closed.is_won, closed.cycle_days, closed.created_date, count(t.activity_id) AS n
       FROM closed LEFT JOIN ${file('activities')} AS t USING (opportunity_id) GROUP BY ALL`,
    );
    const activitiesPerDeal = await queryRows<Row>(
      conn,
      `SELECT segment, CASE WHEN is_won THEN 'won' ELSE 'lost' END AS outcome, count(*)::INTEGER AS deals,
              round(quantile_cont(n, 0.5))::INTEGER AS median, round(avg(n), 1)::DOUBLE AS mean,
              round(avg(n / greatest(cycle_days, 1) * 7), 2)::DOUBLE AS per_week
       FROM deal_activity GROUP BY segment, is_won ORDER BY ${bySegment}, is_won DESC`,
    );
    const fifths = await queryRows<{ fifth: number; share: number }>(
      conn,
      `SELECT fifth::INTEGER AS fifth, (count(*) / sum(count(*)) OVER ())::DOUBLE AS share FROM (
         SELECT least(4, floor(5 * datediff('second', closed.created_date::TIMESTAMP, t.occurred_at) / (greatest(closed.cycle_days, 1) * 86400)))::INTEGER AS fifth
         FROM ${file('activities')} AS t JOIN closed USING (opportunity_id))
       GROUP BY 1 ORDER BY 1`,
    );
    const [timing] = await queryRows<Row>(
      conn,
      `SELECT count(*)::INTEGER AS activities,
              round(avg((opportunity_id IS NULL)::INTEGER), 3)::DOUBLE AS without_deal,
              round(avg((direction = 'inbound')::INTEGER), 3)::DOUBLE AS inbound,
              round(avg((isodow(occurred_at) >= 6)::INTEGER), 3)::DOUBLE AS weekend,
              round(avg((hour(occurred_at) BETWEEN 8 AND 17)::INTEGER), 3)::DOUBLE AS office_hours
       FROM ${file('activities')}`,
    );
    const [oracle] = await queryRows<{ auc: number; open: number }>(
      conn,
      `WITH g AS (SELECT true_win_probability AS p, (final_outcome = 'won')::INTEGER AS won FROM ${file('ground_truth')} WHERE open_at_cut),
            ranked AS (SELECT won, rank() OVER (ORDER BY p) + (count(*) OVER (PARTITION BY p) - 1) / 2.0 AS r FROM g)
       SELECT ((sum(r) FILTER (WHERE won = 1) - sum(won) * (sum(won) + 1) / 2.0) / (sum(won) * (count(*) - sum(won))))::DOUBLE AS auc, count(*)::INTEGER AS open FROM ranked`,
    );
    return {
      ...generated,
      oracleAuc: round(oracle!.auc, 3),
      openAtCut: oracle!.open,
      closed: totals!.closed,
      winRate: round(totals!.win_rate, 3),
      funnel,
      cycle,
      dealSize,
      contactsPerAccount,
      activitiesPerDeal,
      activityByLifeFifth: fifths.map((f) => round(f.share, 3)),
      activityTiming: timing!,
    };
  });
}

export function renderRealism(f: RealismFigures): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const money = (x: number | string) => Number(x).toLocaleString('en-US');
  const table = (header: string[], rows: (string | number)[][]) =>
    [
      `| ${header.join(' | ')} |`,
      `|${header.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
  const t = f.activityTiming;
  return [
    `Measured by [\`realism.ts\`](realism.ts) on \`wuwei generate --opportunities ${f.deals} --seed ${f.seed}\` (cut ${f.asOf}); regenerate with \`npx tsx pipeline/generate/realism.ts\`.`,
    '',
    `**Win rate** of the ${money(f.closed)} deals closed by the cut: **${pct(f.winRate)}**.`,
    '',
    '**Stage funnel** (closed deals that reached each stage):',
    '',
    table(
      ['stage', 'deals', 'share of closed', 'from previous stage'],
      f.funnel.map((s, i) => [
        s.stage,
        money(s.reached),
        pct(s.share),
        i === 0 ? '' : pct(s.reached / Math.max(1, f.funnel[i - 1]!.reached)),
      ]),
    ),
    '',
    '**Cycle length** in days, creation to close, closed deals (right-skewed: log-normal time in each stage; the p99 is about three times the median):',
    '',
    table(
      ['segment', 'deals', 'median', 'mean', 'p90', 'p99', 'max'],
      f.cycle.map((r) => [r['segment']!, money(r['n']!), r['median']!, r['mean']!, r['p90']!, r['p99']!, r['max']!]),
    ),
    '',
    '**Deal size** of won deals (heavy-tailed: log-normal need times segment and product-line size):',
    '',
    table(
      ['segment', 'won deals', 'median', 'mean', 'p90', 'p99', 'max'],
      f.dealSize.map((r) => [
        r['segment']!,
        money(r['n']!),
        money(r['median']!),
        money(r['mean']!),
        money(r['p90']!),
        money(r['p99']!),
        money(r['max']!),
      ]),
    ),
    '',
    '**Contacts per account**:',
    '',
    table(
      ['segment', 'accounts', 'min', 'mean', 'max'],
      f.contactsPerAccount.map((r) => [r['segment']!, money(r['accounts']!), r['min']!, r['mean']!, r['max']!]),
    ),
    '',
    '**Activities per closed deal** (won deals see more, and more per week: relationship quality drives both):',
    '',
    table(
      ['segment', 'outcome', 'deals', 'median', 'mean', 'per week'],
      f.activitiesPerDeal.map((r) => [
        r['segment']!,
        r['outcome']!,
        money(r['deals']!),
        r['median']!,
        r['mean']!,
        r['per_week']!,
      ]),
    ),
    '',
    `**The oracle**: ground_truth.csv's \`true_win_probability\` ranks the ${money(f.openAtCut)} deals open at the cut by how they really ended with AUC **${f.oracleAuc.toFixed(3)}**, the ceiling for any model on this data.`,
    '',
    `**Time pattern**: a closed deal's activities fall over the fifths of its life as ${f.activityByLifeFifth.map(pct).join(' / ')} (uniform over the life: no ramp-up or end-of-quarter rush is simulated). ` +
      `Of ${money(t['activities']!)} activities, ${pct(Number(t['without_deal']))} are account touches without a deal, ${pct(Number(t['inbound']))} are inbound, ` +
      `${pct(Number(t['weekend']))} fall on a weekend and ${pct(Number(t['office_hours']))} between 08:00 and 18:00: times are uniform over the day and week, a simplification a real CRM would not show.`,
  ].join('\n');
}

const START = '<!-- realism:start -->';
const END = '<!-- realism:end -->';

/** README.md with its figures section replaced. */
export function withFigures(readme: string, figures: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} ... ${END} section`);
  return `${readme.slice(0, start + START.length)}\n${figures}\n${readme.slice(end)}`;
}

/** Generates the default data set in a temporary folder and measures it. */
export async function measureDefault(): Promise<RealismFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'wuwei-realism-'));
  try {
    await generate({
      out: dir,
      opportunities: GENERATE_DEFAULTS.opportunities,
      seed: GENERATE_DEFAULTS.seed,
      asOf: GENERATE_DEFAULTS.asOf,
      start: GENERATE_DEFAULTS.start,
      log: quietLogger,
    });
    return await measureRealism(dir, {
      deals: GENERATE_DEFAULTS.opportunities,
      seed: GENERATE_DEFAULTS.seed,
      asOf: GENERATE_DEFAULTS.asOf,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const README_PATH = fileURLToPath(new URL('README.md', import.meta.url));

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = renderRealism(await measureDefault());
  writeFileSync(README_PATH, withFigures(readFileSync(README_PATH, 'utf8'), figures));
  process.stdout.write(`${figures}\n`);
}
