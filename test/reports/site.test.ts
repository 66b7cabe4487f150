/**
 * The report stage end to end on a run's database made from generated data: build the Framework
 * site, open every page in headless Chromium, and check that each chart drew marks with no console
 * error and no request leaving the machine; that no contact name or e-mail reaches the site unless
 * personal data is allowed; that panels whose tables this run lacks say so instead of failing; that
 * a failed build leaves the last good site in place; and that a rebuild reads the database again.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { WuweiError } from '../../pipeline/base/errors.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { buildReport, type ReportSummary } from '../../reports/build.ts';
import { checkSite } from '../helpers/browser.ts';
import {
  createReportFixture,
  FIXTURE_AS_OF,
  FIXTURE_BAD_ROWS,
  FIXTURE_PREVIOUS_NIGHT,
  FIXTURE_VERSION,
} from '../helpers/report-fixture.ts';
import { publishedJson } from '../helpers/shared-site.ts';
import { tempDir } from '../helpers/temp.ts';

const SCREENSHOTS = join(import.meta.dirname, '..', 'artifacts', 'reports');

const PAGES = [
  '/',
  '/accounts',
  '/data-quality',
  '/deals',
  '/forecast',
  '/model',
  '/moves',
  '/pipeline',
  '/relationships',
];

/** Charts per page on a run whose stages wrote no forecast, no backtest, no richer scores and no deal-size metrics. */
const CHARTS: Record<string, number> = {
  '/': 1,
  '/accounts': 3,
  '/data-quality': 3,
  '/deals': 1,
  '/forecast': 0,
  '/model': 5,
  '/moves': 0,
  '/pipeline': 6,
  '/relationships': 5,
};

/** Every text file of the site, concatenated: what a reader could download. */
function siteText(siteDir: string): string {
  const parts: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.(html|js|json|css|csv|txt)$/.test(entry.name)) parts.push(readFileSync(path, 'utf8'));
    }
  };
  visit(siteDir);
  return parts.join('\n');
}

async function expectReportFailure(work: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WuweiError);
  expect((error as WuweiError).code).toBe('report_failed');
  expect((error as WuweiError).message).toMatch(message);
}

describe('report site', () => {
  const tmp = tempDir('wuwei-report-');
  const dbPath = join(tmp.dir, 'run', 'wuwei.duckdb');
  const siteDir = join(tmp.dir, 'run', 'site');
  let summary: ReportSummary;
  let openDeals: number;
  let people: { emails: string[]; contactNames: string[]; ownerNames: string[]; otherEmployeeNames: string[] };

  beforeAll(async () => {
    ({ openDeals } = await createReportFixture(dbPath));
    people = await withDatabase(
      dbPath,
      async (conn) => ({
        emails: (await queryRows<{ v: string }>(conn, `SELECT email AS v FROM contacts WHERE email IS NOT NULL`)).map(
          (r) => r.v,
        ),
        // Contacts' full names, but for those that are also a deal owner's name (shown: owners are not personal data).
        contactNames: (
          await queryRows<{ v: string }>(
            conn,
            `SELECT first_name || ' ' || last_name AS v FROM contacts WHERE first_name IS NOT NULL
           AND first_name || ' ' || last_name NOT IN (SELECT name FROM users WHERE user_id IN (SELECT owner_id FROM scores))`,
          )
        ).map((r) => r.v),
        ownerNames: (
          await queryRows<{ v: string }>(
            conn,
            `SELECT name AS v FROM users WHERE user_id IN (SELECT owner_id FROM scores)`,
          )
        ).map((r) => r.v),
        // Employees who own no scored deal (and share no name with one who does).
        otherEmployeeNames: (
          await queryRows<{ v: string }>(
            conn,
            `SELECT name AS v FROM users WHERE name IS NOT NULL AND user_id NOT IN (SELECT owner_id FROM scores)
           AND name NOT IN (SELECT name FROM users WHERE user_id IN (SELECT owner_id FROM scores))`,
          )
        ).map((r) => r.v),
      }),
      { readOnly: true },
    );
    summary = await buildReport({ dbPath, siteDir, log: quietLogger });
  });
  afterAll(() => tmp.cleanup());

  it('builds every page into the site folder and leaves no temporary folder behind', () => {
    expect(summary.siteDir).toBe(siteDir);
    expect(summary.pages).toEqual(PAGES);
    expect(summary.seconds).toBeGreaterThan(0);
    expectOnlyThePublishedBuild();
  });

  it('keeps the published site, without running Framework, when the same database is reported again', async () => {
    const build = readlinkSync(siteDir);
    const written = statSync(join(siteDir, 'index.html')).mtimeMs;
    const again = await buildReport({ dbPath, siteDir, log: quietLogger });
    expect(summary.outcome).toBe('site rebuilt');
    expect(again.outcome).toBe('site unchanged, kept');
    expect(again.pages).toEqual(PAGES);
    expect(Object.keys(again.dataSeconds).sort()).toEqual(Object.keys(summary.dataSeconds).sort());
    expect(readlinkSync(siteDir)).toBe(build);
    expect(statSync(join(siteDir, 'index.html')).mtimeMs).toBe(written);
    expectOnlyThePublishedBuild();
  });

  /** The site is a link to its one build; nothing half-built or stale is left beside it. */
  function expectOnlyThePublishedBuild(): void {
    expect(readdirSync(join(tmp.dir, 'run')).sort()).toEqual(['runs', 'site', 'site.versions', 'wuwei.duckdb']);
    expect(lstatSync(siteDir).isSymbolicLink()).toBe(true);
    expect(readdirSync(`${siteDir}.versions`)).toEqual([basename(readlinkSync(siteDir))]);
  }

  it('publishes the latest night as small aggregates, with the honest state of what this run lacks', () => {
    const overview = publishedJson(siteDir, 'overview');
    expect(overview).toMatchObject({ asOf: FIXTURE_AS_OF, openDeals, scoresModelVersion: FIXTURE_VERSION });
    expect(overview.night).toMatchObject({ available: true, previousAsOf: FIXTURE_PREVIOUS_NIGHT, retrain: null });
    const changes = Object.fromEntries(
      overview.night.changes.map((change: { kind: string; deals: number }) => [change.kind, change.deals]),
    );
    expect(changes['new']).toBeGreaterThan(0); // deals missing from the earlier night
    expect(changes['slipped']).toBeGreaterThan(0); // the earlier night had earlier close dates for some deals
    expect(changes['won'] + changes['lost']).toBeGreaterThan(0);
    expect(overview.night.reason).toMatch(/^Largest effect: /);
    expect(overview.forecast.periods.available).toBe(false);
    expect(overview.forecast.periods.reason).toMatch(/no `forecasts` table/);

    const forecast = publishedJson(siteDir, 'forecast');
    expect(forecast.forecast.accuracy).toMatchObject({ available: false });
    expect(forecast.forecast.accuracy.reason).toMatch(/no `backtest` table/);
    expect(forecast.segments).toEqual([]);

    const pipeline = publishedJson(siteDir, 'pipeline');
    expect(pipeline.funnel[0].share).toBe(1);
    expect(pipeline.funnel.at(-1).stage).toBe('Won');
    for (let i = 1; i < pipeline.funnel.length; i++)
      expect(pipeline.funnel[i].deals).toBeLessThanOrEqual(pipeline.funnel[i - 1].deals);
    expect(pipeline.stageTimes.reduce((sum: number, s: { openDeals: number }) => sum + s.openDeals, 0)).toBe(openDeals);

    const deals = publishedJson(siteDir, 'deals');
    expect(deals.deals.filter((deal: { status: string }) => deal.status === 'open')).toHaveLength(openDeals);
    expect(deals.columns).toEqual({
      grade: false,
      trend: false,
      expectedAmount: false,
      modelCloseDate: false,
      slipRisk: false,
      factors: false,
    });
    // Names of deals, accounts and owners by default: CRM records, not personal data.
    expect(
      deals.deals.every(
        (deal: { name: string | null; accountName: string | null; ownerName: string | null }) =>
          deal.name && deal.accountName && deal.ownerName,
      ),
    ).toBe(true);
    // Deals that closed since the previous night are listed for the first screen's links.
    expect(deals.deals.filter((deal: { status: string }) => deal.status !== 'open').length).toBe(
      changes['won'] + changes['lost'],
    );
    expect(deals.nights).toEqual([FIXTURE_PREVIOUS_NIGHT, FIXTURE_AS_OF]);

    const quality = publishedJson(siteDir, 'data-quality');
    expect(quality.entities.reduce((sum: number, e: { rejected: number }) => sum + e.rejected, 0)).toBe(
      FIXTURE_BAD_ROWS,
    );
    expect(quality.reasons.map((r: { column: string }) => r.column).sort()).toEqual([
      'amount',
      'created_date',
      'created_date',
    ]);
    expect(quality.runs).toHaveLength(1);

    const accounts = publishedJson(siteDir, 'accounts');
    expect(accounts.tiers.reduce((sum: number, t: { accounts: number }) => sum + t.accounts, 0)).toBe(
      accounts.totalAccounts,
    );
    expect(accounts.activeAccounts).toBeGreaterThan(0);
    expect(accounts.activeAccounts).toBeLessThan(accounts.totalAccounts);

    const model = publishedJson(siteDir, 'model');
    expect(model.lift).toMatchObject({ available: true, source: 'derived' });
    expect(model.amountError.available).toBe(false);
    expect(model.catalog.length).toBeGreaterThan(40);

    for (const name of [
      'overview',
      'forecast',
      'pipeline',
      'relationships',
      'deals',
      'accounts',
      'model',
      'data-quality',
    ]) {
      expect(JSON.stringify(publishedJson(siteDir, name)).length, name).toBeLessThan(2_000_000);
    }
  });

  it("lets no contact's name or e-mail, and no employee's name but a deal owner's, into the site by default", () => {
    const text = siteText(siteDir);
    expect(people.emails.length).toBeGreaterThan(100);
    expect(people.emails.filter((email) => text.includes(email))).toEqual([]);
    expect(people.contactNames.filter((name) => text.includes(name))).toEqual([]);
    expect(people.otherEmployeeNames.length).toBeGreaterThan(0);
    expect(people.otherEmployeeNames.filter((name) => text.includes(name))).toEqual([]);
    expect(people.ownerNames.some((name) => text.includes(name))).toBe(true);
    expect(publishedJson(siteDir, 'relationships').personalData).toBe(false);
  });

  it('renders every chart of every page in headless Chromium with no console error and no request leaving localhost', async () => {
    const pages = await checkSite(siteDir, summary.pages, { screenshotDir: SCREENSHOTS });
    expect(pages.map((page) => page.path)).toEqual(PAGES);
    for (const page of pages) {
      expect(page.consoleErrors, page.path).toEqual([]);
      expect(page.externalRequests, page.path).toEqual([]);
      expect(page.charts, page.path).toHaveLength(CHARTS[page.path]!);
      for (const chart of page.charts) {
        expect(chart.state, page.path).toBe('rendered');
        expect(chart.marks, page.path).toBeGreaterThan(0);
        expect(chart.description?.length, page.path).toBeGreaterThan(40);
      }
      expect(statSync(page.screenshot).size).toBeGreaterThan(10_000);
    }
    const notes = Object.fromEntries(pages.map((page) => [page.path, page.notAvailable.join(' | ')]));
    expect(notes['/forecast']).toMatch(/P10–P90 range is not available in this run/);
    expect(notes['/forecast']).toMatch(/no `backtest` table/);
    expect(notes['/']).toMatch(/no `forecasts` table/);
    expect(notes['/model']).toMatch(/Deal-size error is not available/);
    // the one panel a run without the moves stage lacks
    expect(notes['/pipeline']).toMatch(/^[^|]*no `next_moves` table[^|]*$/);
  });

  it('throws report_failed and keeps the last good site when the build cannot run', async () => {
    const before = readFileSync(join(siteDir, 'index.html'), 'utf8');

    await expectReportFailure(
      buildReport({ dbPath: join(tmp.dir, 'missing.duckdb'), siteDir, log: quietLogger }),
      /database not found/,
    );

    // A database without the report's tables: a data loader fails, so the Framework build fails.
    const emptyDb = join(tmp.dir, 'empty.duckdb');
    await withDatabase(emptyDb, async (conn) => {
      await conn.run('CREATE TABLE unrelated (x INTEGER)');
    });
    await expectReportFailure(
      buildReport({ dbPath: emptyDb, siteDir, log: quietLogger }),
      /the database has no as-of date/,
    );

    expect(readFileSync(join(siteDir, 'index.html'), 'utf8')).toBe(before);
    expect(publishedJson(siteDir, 'overview').openDeals).toBe(openDeals);
    expectOnlyThePublishedBuild();
  });

  it('reads the database again on a rebuild, and lets names into who-knows-whom once personal data is allowed', async () => {
    const rebuilt = await buildReport({ dbPath, siteDir, log: quietLogger, showPersonalData: true });
    expect(rebuilt.outcome).toBe('site rebuilt');
    expect(rebuilt.pages).toEqual(PAGES);
    const relationships = publishedJson(siteDir, 'relationships');
    expect(relationships.personalData).toBe(true);
    expect(
      people.contactNames.some((name) =>
        relationships.ties.some((tie: { contactLabel: string }) => tie.contactLabel.includes(name)),
      ),
    ).toBe(true);
  });

  it('rebuilds when the data changed: a renamed key deal reaches the first screen', async () => {
    const build = readlinkSync(siteDir);
    const [top] = publishedJson(siteDir, 'overview').keyDeals as { opportunityId: string; name: string }[];
    await withDatabase(dbPath, (conn) =>
      conn.run(
        `UPDATE opportunities SET name = 'Renamed for the rebuild' WHERE opportunity_id = '${top!.opportunityId}'`,
      ),
    );
    const rebuilt = await buildReport({ dbPath, siteDir, log: quietLogger, showPersonalData: true });
    expect(rebuilt.outcome).toBe('site rebuilt');
    expect(readlinkSync(siteDir)).not.toBe(build);
    expect(publishedJson(siteDir, 'overview').keyDeals[0]).toMatchObject({
      opportunityId: top!.opportunityId,
      name: 'Renamed for the rebuild',
    });
    expectOnlyThePublishedBuild();
  });
});
