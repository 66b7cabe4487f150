/**
 * The site on what the REAL stages write (generate → load → features → train → score → forecast →
 * backtest, and a second night that retrains): every data loader runs against that database in
 * strict mode, where a column it asks for and does not find fails it (stage/page drift, issue 16);
 * then the built site is opened in Chromium at 1,280 px: every page renders with data, a figure shown
 * on several pages reads the same everywhere and equals the forecast stage's table, each filter of
 * the Deals page narrows its table, a deal opens by its address, and nothing is cut off.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { DEFAULTS } from '../../pipeline/config/config.ts';
import { ALL_STAGES, shrunkFactor } from '../../pipeline/forecast/stage-correction.ts';
import {
  formatAmount,
  formatDate,
  formatPoints,
  formatSignedAmount,
  formatWhole,
} from '../../reports/src/components/format.ts';
import { gradeBands } from '../../reports/src/data/gradeBands.ts';
import { PAGE_DATA } from '../../reports/src/data/page-data.ts';
import { ownerRecords } from '../../reports/src/data/ownerRecords.ts';
import { checkSite, readOnPages, type PageCheck } from '../helpers/browser.ts';
import type { RealRun } from '../helpers/real-run.ts';
import { publishedJson, sharedRealSite } from '../helpers/shared-site.ts';

const DATA = join(import.meta.dirname, '..', '..', 'reports', 'src', 'data');
const LOADERS = readdirSync(DATA)
  .filter((file) => file.endsWith('.json.ts'))
  .sort();
const TSX = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'tsx');
const execFileAsync = promisify(execFile);
const SCREENSHOTS = join(import.meta.dirname, '..', 'artifacts', 'reports-real-run');

/** Every `{available: false}` panel in a loader's output, by path: on a full real run there is none. */
function unavailable(value: unknown, path = ''): string[] {
  if (!value || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  if (record['available'] === false) return [`${path}: ${String(record['reason'])}`];
  return Object.entries(record).flatMap(([key, inner]) => unavailable(inner, `${path}.${key}`));
}

describe('the site on a database the real stages wrote', () => {
  let run: RealRun;
  let siteDir: string;
  let sitePages: string[];
  const outputs: Record<string, any> = {};

  beforeAll(async () => {
    // The run and its site, built once per version of the code (shared-site.ts): every loader ran as
    // the Framework build runs it, in strict mode, and each page's data is the JSON the site publishes.
    ({ run, siteDir, pages: sitePages } = await sharedRealSite());
    for (const loader of LOADERS)
      outputs[loader.replace(/\.json\.ts$/, '')] = publishedJson(siteDir, loader.replace(/\.json\.ts$/, ''));
  }, 1_200_000);

  it('runs every loader against it, finding every column it reads, and fills every panel', () => {
    expect(Object.keys(outputs).sort()).toEqual(LOADERS.map((loader) => loader.replace(/\.json\.ts$/, '')));
    for (const [name, output] of Object.entries(outputs)) expect(unavailable(output), name).toEqual([]);
  });

  it('gives, run as a script by Framework, what the report stage computed in its own process', async () => {
    // The report stage writes the pages' data itself (page-data-cache.ts); the loaders stay runnable
    // (`observable preview`, by hand) and must say the same.
    expect(Object.keys(PAGE_DATA).sort()).toEqual(Object.keys(outputs).sort());
    for (const loader of LOADERS) {
      const { stdout } = await execFileAsync(TSX, [join(DATA, loader)], {
        env: { ...process.env, WUWEI_DB: run.dbPath, WUWEI_REPORT_STRICT: 'true' },
        maxBuffer: 256 * 1024 * 1024,
      });
      expect(JSON.parse(stdout), loader).toEqual(outputs[loader.replace(/\.json\.ts$/, '')]);
    }
  });

  it("reads the stages' columns: model close date, slip risk, deal-size and close-timing accuracy, the reporting currency", async () => {
    const deals = outputs['deals'];
    expect(deals.columns).toEqual({
      grade: true,
      trend: true,
      expectedAmount: true,
      modelCloseDate: true,
      slipRisk: true,
      factors: true,
    });
    const open = deals.deals.filter((d: { status: string }) => d.status === 'open');
    expect(
      open.every(
        (d: { modelCloseDate: string | null; slipRisk: number | null }) =>
          d.modelCloseDate !== null && d.slipRisk !== null,
      ),
    ).toBe(true);
    expect(
      open.every(
        (d: { name: string | null; accountName: string | null; ownerName: string | null }) =>
          d.name && d.accountName && d.ownerName,
      ),
    ).toBe(true);
    expect(
      open.some((d: { positiveFactors: { feature: string | null }[] }) =>
        d.positiveFactors.some((f) => f.feature !== null),
      ),
    ).toBe(true);
    const model = outputs['model'];
    expect(model.amountError.available).toBe(true);
    expect(model.amountError.closeTiming.maeDays).toBeGreaterThan(0);
    const facts = await withDatabase(
      run.dbPath,
      async (conn) =>
        (
          await queryRows<{ currency: string; asOf: string; version: string; wape: number }>(
            conn,
            `SELECT (SELECT reporting_currency FROM wuwei_meta) AS currency, (SELECT strftime(max(as_of), '%Y-%m-%d') FROM scores) AS "asOf",
                  v.version, v.amount_wape AS wape
           FROM model_versions AS v WHERE v.active`,
          )
        )[0]!,
      { readOnly: true },
    );
    expect(model.amountError.metrics[0].wuwei).toBeCloseTo(facts.wape, 10);
    for (const name of ['overview', 'forecast', 'deals', 'pipeline', 'relationships', 'accounts'])
      expect(outputs[name].currency, name).toBe(facts.currency);
    // One as-of date everywhere: the latest night of scores.
    for (const name of ['overview', 'forecast', 'deals', 'pipeline', 'relationships', 'accounts', 'data-quality'])
      expect(outputs[name].asOf, name).toBe(facts.asOf);
    expect(facts.asOf).toBe(run.nights[1]);
  });

  it("says an owner's record as the counts the features stage counted, read from the history, not from the rate", async () => {
    const features = await withDatabase(
      run.dbPath,
      async (conn) => ({
        owners: await ownerRecords(conn, run.nights[1]),
        rows: await queryRows<{ id: string; owner: string; rate: number; closed: number }>(
          conn,
          `SELECT s.opportunity_id AS id, s.owner_id AS owner, f.ecm_employee_owner_win_rate::DOUBLE AS rate, f.ecm_employee_owner_closed_deals::DOUBLE AS closed
           FROM scores AS s JOIN features_score AS f USING (opportunity_id) WHERE s.as_of = DATE '${run.nights[1]}'`,
        ),
      }),
      { readOnly: true },
    );
    expect(features.rows.length).toBeGreaterThan(100);
    for (const row of features.rows) {
      const record = features.owners!.get(row.owner) ?? { won: 0, closed: 0 };
      expect(record.closed, row.id).toBe(row.closed);
      expect((record.won + 1) / (record.closed + 2), row.id).toBeCloseTo(row.rate, 6);
    }
    const said = (
      outputs['deals'].deals as {
        ownerId: string;
        positiveFactors: { feature: string; text: string }[];
        negativeFactors: { feature: string; text: string }[];
      }[]
    ).flatMap((deal) =>
      [...deal.positiveFactors, ...deal.negativeFactors]
        .filter((f) => f.feature === 'ecm_employee_owner_win_rate')
        .map((f) => [deal.ownerId, f.text] as const),
    );
    expect(said.length).toBeGreaterThan(0);
    for (const [owner, text] of said) {
      const record = features.owners!.get(owner) ?? { won: 0, closed: 0 };
      expect(text).toMatch(
        new RegExp(
          `^Owner has won ${record.won.toLocaleString('en-US')} of ${record.closed.toLocaleString('en-US')} closed deal`,
        ),
      );
    }
  });

  it('counts stalled and single-threaded deals on the pipeline and relationship pages as the lists behind them', () => {
    const open = outputs['deals'].deals.filter((d: { status: string }) => d.status === 'open');
    const onList = (list: string) => open.filter((d: { lists: string[] }) => d.lists.includes(list)).length;
    expect(outputs['pipeline'].stalled.deals).toBe(onList('stalled'));
    expect(onList('stalled')).toBeGreaterThan(0);
    const single = outputs['relationships'].threading.reduce(
      (sum: number, row: { singleThreaded: number }) => sum + row.singleThreaded,
      0,
    );
    expect(single).toBe(onList('single-threaded'));
  });

  it("states a deal's and an account's expected value the same on every page, as the scores give it", async () => {
    // One definition (latestScores.ts expectedValueSql): win probability x the deal-size model's amount.
    const stored = await withDatabase(
      run.dbPath,
      (conn) =>
        queryRows<{ opportunity_id: string; account_id: string; value: number; differs: boolean }>(
          conn,
          `SELECT opportunity_id, account_id, (win_probability * coalesce(expected_amount, amount, 0))::DOUBLE AS value,
                  abs(expected_amount - amount) > 1 AS differs
           FROM scores WHERE as_of = (SELECT max(as_of) FROM scores)`,
        ),
      { readOnly: true },
    );
    const byDeal = new Map(stored.map((row) => [row.opportunity_id, row.value]));
    const byAccount = new Map<string, number>();
    for (const row of stored) byAccount.set(row.account_id, (byAccount.get(row.account_id) ?? 0) + row.value);
    // Some deal's model amount differs from the rep's, or the check could not tell the definitions apart.
    expect(stored.some((row) => row.differs && row.value > 0)).toBe(true);

    const open = outputs['deals'].deals.filter((d: { status: string }) => d.status === 'open');
    expect(open.length).toBeGreaterThan(0);
    for (const deal of [...open, ...outputs['overview'].keyDeals] as { opportunityId: string; expectedValue: number }[])
      expect(deal.expectedValue, deal.opportunityId).toBeCloseTo(byDeal.get(deal.opportunityId)!, 1);
    const accounts = outputs['accounts'].accounts as { accountId: string; potential: number }[];
    const withDeals = accounts.filter((account) => byAccount.has(account.accountId));
    expect(withDeals.length).toBeGreaterThan(0);
    for (const account of withDeals)
      expect(account.potential, account.accountId).toBeCloseTo(byAccount.get(account.accountId)!, 1);
    const gaps = outputs['accounts'].gapMoves.rows as { accountId: string; potential: number }[];
    expect(gaps.length).toBeGreaterThan(0);
    for (const gap of gaps) expect(gap.potential, gap.accountId).toBeCloseTo(byAccount.get(gap.accountId)!, 1);
  });

  it("takes every forecast figure from the forecast stage's tables and says why the number moved", async () => {
    const overview = outputs['overview'];
    const quarter = overview.forecast.quarter;
    const stored = await withDatabase(
      run.dbPath,
      async (conn) =>
        (
          await queryRows<{ p50: number; before: number; weighted: number; wape: number }>(
            conn,
            `SELECT max(p50) FILTER (WHERE as_of = DATE '${run.nights[1]}')::DOUBLE AS p50, max(p50) FILTER (WHERE as_of = DATE '${run.nights[0]}')::DOUBLE AS before,
                  max(weighted_pipeline) FILTER (WHERE as_of = DATE '${run.nights[1]}')::DOUBLE AS weighted,
                  (SELECT wape FROM backtest_summary WHERE method = 'wuwei')::DOUBLE AS wape
           FROM forecasts WHERE segment_type = 'all' AND period_type = 'quarter' AND period_start = DATE '${quarter.periodStart}'`,
          )
        )[0]!,
      { readOnly: true },
    );
    expect(quarter.p50).toBe(stored.p50);
    expect(quarter.weightedPipeline).toBe(stored.weighted);
    expect(outputs['forecast'].forecast.quarter).toEqual(quarter);
    const wuwei = overview.forecast.accuracy.summary.find((m: { method: string }) => m.method === 'wuwei');
    expect(wuwei.wape).toBe(stored.wape);
    expect(overview.forecast.accuracy.rows.length).toBeGreaterThanOrEqual(2 * 4); // two quarters, four methods
    expect(overview.night.forecast).toEqual({ before: stored.before, now: stored.p50 });
    // the second night corrects by stage from the backtest's quarter starts whose deals closed since, as the page says
    const recomputed = await withDatabase(
      run.dbPath,
      (conn) =>
        queryRows<{ stage: string; deals: number; won: number; expected: number }>(
          conn,
          `WITH closes AS (
             SELECT opportunity_id, min(changed_at)::DATE AS closed_on, arg_min(stage = 'Closed Won', changed_at) AS won
             FROM opportunity_history WHERE stage IN ('Closed Won', 'Closed Lost') AND changed_at <= DATE '${run.nights[1]}' GROUP BY 1)
           SELECT coalesce(b.stage, '(none)') AS stage, count(*)::INTEGER AS deals, sum(c.won::INTEGER)::INTEGER AS won, sum(b.win_probability)::DOUBLE AS expected
           FROM backtest_deals AS b JOIN closes AS c USING (opportunity_id)
           WHERE b.weeks_into_period = 0 AND c.closed_on > b.as_of GROUP BY 1`,
        ),
      { readOnly: true },
    );
    const shown = outputs['forecast'].forecast.stageCorrection;
    expect(shown.available).toBe(true);
    expect(shown.factors.length).toBeGreaterThan(0);
    // each stage learned, then the pooled factor last
    expect(shown.factors.at(-1).stage).toBe(ALL_STAGES);
    expect(
      shown.factors
        .slice(0, -1)
        .map((f: { stage: string }) => f.stage)
        .sort(),
    ).toEqual(recomputed.map((r) => r.stage).sort());
    for (const row of recomputed) {
      const factor = shown.factors.find((f: { stage: string }) => f.stage === row.stage);
      expect(factor.deals, row.stage).toBe(row.deals);
      expect(factor.won, row.stage).toBe(row.won);
      expect(factor.expected, row.stage).toBeCloseTo(row.expected, 9);
      expect(factor.factor, row.stage).toBeCloseTo(shrunkFactor(row.won, row.expected), 12);
    }
    const pooled = shown.factors.at(-1);
    const sum = (key: 'deals' | 'won' | 'expected') => recomputed.reduce((total, row) => total + row[key], 0);
    expect(pooled.deals).toBe(sum('deals'));
    expect(pooled.won).toBe(sum('won'));
    expect(pooled.expected).toBeCloseTo(sum('expected'), 9);
    expect(pooled.factor).toBeCloseTo(shrunkFactor(sum('won'), sum('expected')), 12);
    // every open deal tonight took one factor, its stage's or the pooled one
    const [tonight] = await withDatabase(
      run.dbPath,
      (conn) =>
        queryRows<{ open: number }>(
          conn,
          `SELECT count(*)::INTEGER AS open FROM scores WHERE as_of = DATE '${run.nights[1]}'`,
        ),
      { readOnly: true },
    );
    expect(tonight!.open).toBeGreaterThan(0);
    expect(shown.factors.reduce((total: number, f: { openDeals: number }) => total + f.openDeals, 0)).toBe(
      tonight!.open,
    );
    expect(overview.night.retrain).not.toBeNull();
    expect(overview.night.reason).toMatch(/retrained/);
  });

  describe('in Chromium at 1,280 px', () => {
    let pages: PageCheck[];

    beforeAll(async () => {
      pages = await checkSite(siteDir, sitePages, {
        screenshotDir: SCREENSHOTS,
        viewport: { width: 1280, height: 900 },
      });
    }, 900_000);

    it('renders every page with data, no error, nothing cut off', () => {
      expect(pages.map((page) => page.path).sort()).toEqual([
        '/',
        '/accounts',
        '/data-quality',
        '/deals',
        '/forecast',
        '/model',
        '/moves',
        '/pipeline',
        '/relationships',
      ]);
      for (const page of pages) {
        expect(page.consoleErrors, page.path).toEqual([]);
        expect(page.externalRequests, page.path).toEqual([]);
        expect(page.notAvailable, page.path).toEqual([]);
        expect(page.charts.length, page.path).toBeGreaterThan(0);
        for (const chart of page.charts) {
          expect(chart.state, page.path).toBe('rendered');
          expect(chart.marks, page.path).toBeGreaterThan(0);
        }
        expect(page.overflow, page.path).toEqual([]);
      }
    });

    it('shows a figure the same on every page, as the forecast stage wrote it', () => {
      const byPath = Object.fromEntries(pages.map((page) => [page.path, page.figures]));
      const quarter = outputs['overview'].forecast.quarter;
      for (const figure of [
        'quarter-p50',
        'quarter-p10',
        'quarter-p90',
        'quarter-weighted',
        'accuracy-wuwei',
        'accuracy-weighted_pipeline',
      ]) {
        const shown = [...(byPath['/']![figure] ?? []), ...(byPath['/forecast']![figure] ?? [])];
        expect(byPath['/']![figure]?.length, `${figure} on the overview`).toBeGreaterThan(0);
        expect(byPath['/forecast']![figure]?.length, `${figure} on the forecast page`).toBeGreaterThan(0);
        expect(new Set(shown).size, `${figure}: ${shown.join(' / ')}`).toBe(1);
      }
      expect(byPath['/']!['quarter-p50']![0]).toBe(formatAmount(quarter.p50));
      for (const f of outputs['forecast'].forecast.stageCorrection.factors) {
        expect(byPath['/forecast']![`stage-factor-${f.stage}`], f.stage).toEqual([`×${f.factor.toFixed(2)}`]);
        expect(byPath['/forecast']![`stage-open-deals-${f.stage}`], f.stage).toEqual([formatWhole(f.openDeals)]);
      }
      const asOf = formatDate(run.nights[1]);
      for (const path of ['/', '/forecast', '/deals']) expect(byPath[path]!['as-of'], path).toEqual([asOf]);
    });

    it('narrows the Deals table with each filter, keeps it in the address, and opens a deal by its address', async () => {
      const deals = outputs['deals'].deals.filter((d: { status: string }) => d.status === 'open');
      const first = deals[0];
      // the night's change most deals had (which one depends on the models: a retrain on the same export may move none by 5 pts)
      const changes = outputs['overview'].night.changes as { kind: string; deals: number }[];
      const change = changes.filter((c) => c.kind !== 'dropped').sort((a, b) => b.deals - a.deals)[0]!;
      expect(change.deals).toBeGreaterThan(0);
      const filters = [
        'list=stalled',
        'list=single-threaded',
        'list=slipping',
        'list=at-risk',
        `owner=${first.ownerId}`,
        `team=${encodeURIComponent(first.team)}`,
        `region=${encodeURIComponent(first.region)}`,
        `segment=${first.segment}`,
        `quarter=${encodeURIComponent(first.closeQuarter)}`,
        `change=${change.kind}`,
      ];
      const counts = await readOnPages(
        siteDir,
        ['/deals.html', ...filters.map((filter) => `/deals.html?${filter}`)],
        '[data-count="deals"]',
      );
      const all = Number(counts['/deals.html']!.replaceAll(',', ''));
      expect(all).toBe(deals.length);
      for (const filter of filters) {
        const shown = Number(counts[`/deals.html?${filter}`]!.replaceAll(',', ''));
        expect(shown, filter).toBeLessThan(all);
        expect(shown, filter).toBeGreaterThan(0);
      }
      const picked = deals[Math.floor(deals.length / 2)];
      const opened = await readOnPages(
        siteDir,
        [`/deals.html?deal=${picked.opportunityId}`, `/deals.html#${picked.opportunityId}`],
        '[data-deal]',
      );
      for (const text of Object.values(opened)) expect(text).toContain(picked.opportunityId);
    });

    it("shows the allocation on the Next moves page and a deal's best moves on its panel", async () => {
      const moves = outputs['moves'];
      expect(moves.summary.optimalAssigned).toBeGreaterThan(0);
      const best = moves.deals[0];
      const shown = await readOnPages(siteDir, ['/moves.html'], '[data-value="allocation"]');
      expect(shown['/moves.html']).toBe(formatSignedAmount(moves.summary.optimalGain));
      const panel = await readOnPages(siteDir, [`/deals.html?deal=${best.opportunityId}`], '[data-panel="moves"]');
      expect(panel[`/deals.html?deal=${best.opportunityId}`]).toContain(best.bestMove);
    });

    it("shows on the Key accounts and Pipeline pages the moves stage's gap and stalled-deal moves", async () => {
      const gap = outputs['accounts'].gapMoves.rows[0];
      const stalled = outputs['pipeline'].stalledMoves.rows[0];
      // the same rows the Next moves page lists, and the figures are next_moves' own
      expect(outputs['moves'].gaps.rows[0]).toEqual(gap);
      expect(outputs['moves'].stalled.rows[0]).toEqual(stalled);
      const stored = await withDatabase(run.dbPath, (conn) =>
        queryRows<{ id: string; move: string; value: number; delta: number; kind: string }>(
          conn,
          `SELECT opportunity_id AS id, description AS move, delta_expected_value::DOUBLE AS value,
                  delta_win_probability::DOUBLE AS delta, move_kind AS kind
           FROM next_moves WHERE as_of = DATE '${run.nights[1]}'`,
        ),
      );
      const gapRow = stored.find((row) => row.id === gap.opportunityId && row.move === gap.move)!;
      expect(gapRow.value).toBeCloseTo(gap.valueAtStake, 6);
      expect(['engage_role', 'introduction', 'multi_thread']).toContain(gapRow.kind);
      const stalledRow = stored.find((row) => row.id === stalled.opportunityId && row.move === stalled.bestMove)!;
      expect(stalledRow.delta).toBeCloseTo(stalled.deltaWin, 9);
      const accounts = await readOnPages(siteDir, ['/accounts.html'], '[data-value="gap-move"]');
      expect(accounts['/accounts.html']).toBe(`${formatSignedAmount(gap.valueAtStake)} on ${gap.accountId}`);
      const pipeline = await readOnPages(siteDir, ['/pipeline.html'], '[data-value="stalled-move"]');
      expect(pipeline['/pipeline.html']).toBe(`${formatPoints(stalled.deltaWin)} on ${stalled.opportunityId}`);
    });

    it('explains the grades A to D on the Deals page with the configured bands, the ones the deals were graded by', async () => {
      const bands = outputs['deals'].grades as { grade: string; from: number }[];
      expect(bands).toEqual(gradeBands(DEFAULTS.grades)); // the real run uses the default config
      const open = outputs['deals'].deals.filter((d: { status: string }) => d.status === 'open') as {
        score: number;
        grade: string;
      }[];
      for (const deal of open)
        expect(deal.grade, `score ${deal.score}`).toBe(bands.find((band) => deal.score >= band.from)!.grade);
      expect(new Set(open.map((deal) => deal.grade)).size).toBeGreaterThan(1);
      const legend = await readOnPages(siteDir, ['/deals.html'], '[data-legend="grades"]');
      const text = legend['/deals.html']!;
      for (const [i, band] of bands.entries())
        expect(text).toContain(`score ${band.from}–${i === 0 ? 100 : bands[i - 1]!.from - 1}`);
      expect(text).toMatch(/A.*B.*C.*D/s);
    });
  });
});
