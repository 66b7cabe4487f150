/**
 * The report stage end to end on a fixture database: build the Framework site, open every page in
 * headless Chromium, and check that each chart drew marks with no console error and no request
 * leaving the machine; a failed build must leave the last good site in place, and a rebuild must
 * read the database again rather than Framework's loader cache.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../../pipeline/db.ts';
import { WuweiError } from '../../pipeline/errors.ts';
import { quietLogger } from '../../pipeline/log.ts';
import { buildReport, type ReportSummary } from '../../reports/build.ts';
import { checkSite } from '../helpers/browser.ts';
import { createReportFixture, FIXTURE_AS_OF, FIXTURE_OPEN_DEALS, FIXTURE_VERSION } from '../helpers/report-fixture.ts';
import { tempDir } from '../helpers/temp.ts';

const SCREENSHOTS = join(import.meta.dirname, '..', 'artifacts', 'reports');

/** Charts per page, as the pages are written. */
const CHARTS: Record<string, number> = { '/': 2, '/forecast': 1, '/model': 3 };

/** The JSON a page's loader wrote, as published in the site (`_file/data/<name>.<hash>.json`). */
function publishedJson(siteDir: string, name: string): any {
  const dir = join(siteDir, '_file', 'data');
  const file = readdirSync(dir).find((entry) => entry.startsWith(`${name}.`) && entry.endsWith('.json'));
  if (!file) throw new Error(`no ${name} JSON in ${dir}`);
  return JSON.parse(readFileSync(join(dir, file), 'utf8'));
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

  beforeAll(async () => {
    await createReportFixture(dbPath);
    summary = await buildReport({ dbPath, siteDir, log: quietLogger });
  });
  afterAll(() => tmp.cleanup());

  it('builds the three pages into the site folder and leaves no temporary folder behind', () => {
    expect(summary.siteDir).toBe(siteDir);
    expect(summary.pages).toEqual(['/', '/forecast', '/model']);
    expect(summary.seconds).toBeGreaterThan(0);
    for (const page of ['index', 'forecast', 'model']) expect(existsSync(join(siteDir, `${page}.html`))).toBe(true);
    expect(readdirSync(join(tmp.dir, 'run')).sort()).toEqual(['site', 'wuwei.duckdb']);
  });

  it('publishes the latest night only, as small aggregates with ids and no names', () => {
    const overview = publishedJson(siteDir, 'overview');
    expect(overview).toMatchObject({ asOf: FIXTURE_AS_OF, openDeals: FIXTURE_OPEN_DEALS, scoresModelVersion: FIXTURE_VERSION });
    expect(overview.model).toMatchObject({ version: FIXTURE_VERSION, auc: 0.812, baselineAuc: 0.714 });
    expect(overview.thisMonth.label).toBe('Jun 2026');
    expect(overview.nextMonth.label).toBe('Jul 2026');
    const forecast = publishedJson(siteDir, 'forecast');
    const deals = forecast.buckets.reduce((sum: number, bucket: { deals: number }) => sum + bucket.deals, 0);
    expect(deals).toBe(FIXTURE_OPEN_DEALS);
    const model = publishedJson(siteDir, 'model');
    expect(model.model.version).toBe(FIXTURE_VERSION);
    expect(model.roc.length).toBe(102);
    expect(model.calibration.length).toBe(15);
    expect(model.importance[0].definition).not.toBe('');
    const top = publishedJson(siteDir, 'top-deals');
    expect(top.deals).toHaveLength(20);
    expect(Object.keys(top.deals[0]).sort()).toEqual(
      ['accountId', 'amount', 'expectedCloseDate', 'expectedValue', 'opportunityId', 'ownerId', 'stage', 'stageProbability', 'winProbability'].sort(),
    );
    // No person leaves the database: no e-mail address, no contact or person-name field anywhere.
    const everything = ['overview', 'forecast', 'model', 'top-deals'].map((name) => JSON.stringify(publishedJson(siteDir, name))).join('');
    expect(everything.match(/[\w.+-]+@[\w-]+\.\w+/)).toBeNull();
    const keys = new Set([...everything.matchAll(/"(\w+)":/g)].map((match) => match[1]!));
    expect([...keys].filter((key) => /mail|phone|contact|first|last|owner_?name|account_?name/i.test(key))).toEqual([]);
  });

  it('renders every chart in headless Chromium with no console error and no request leaving localhost', async () => {
    const pages = await checkSite(siteDir, summary.pages, { screenshotDir: SCREENSHOTS });
    expect(pages.map((page) => page.path)).toEqual(['/', '/forecast', '/model']);
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
  });

  it('throws report_failed and keeps the last good site when the build cannot run', async () => {
    const before = readFileSync(join(siteDir, 'index.html'), 'utf8');

    await expectReportFailure(buildReport({ dbPath: join(tmp.dir, 'missing.duckdb'), siteDir, log: quietLogger }), /database not found/);

    // A database without the report's tables: a data loader fails, so the Framework build fails.
    const emptyDb = join(tmp.dir, 'empty.duckdb');
    await withDatabase(emptyDb, async (conn) => {
      await conn.run('CREATE TABLE unrelated (x INTEGER)');
    });
    await expectReportFailure(buildReport({ dbPath: emptyDb, siteDir, log: quietLogger }), /scores does not exist/);

    expect(readFileSync(join(siteDir, 'index.html'), 'utf8')).toBe(before);
    expect(publishedJson(siteDir, 'overview').openDeals).toBe(FIXTURE_OPEN_DEALS);
    expect(readdirSync(join(tmp.dir, 'run')).sort()).toEqual(['site', 'wuwei.duckdb']);
  });

  it('reads the database again on a rebuild instead of serving the loader cache', async () => {
    await withDatabase(dbPath, async (conn) => {
      await conn.run(`DELETE FROM scores WHERE as_of = DATE '${FIXTURE_AS_OF}' AND opportunity_id > 'O0000100'`);
    });
    const rebuilt = await buildReport({ dbPath, siteDir, log: quietLogger });
    expect(rebuilt.pages).toEqual(['/', '/forecast', '/model']);
    expect(publishedJson(siteDir, 'overview').openDeals).toBe(100);
  });
});
