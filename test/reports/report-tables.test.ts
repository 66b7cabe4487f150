/**
 * The report tables (pipeline/report-tables) on what the REAL stages write (test/helpers/real-run.ts:
 * generate → two nightly runs → backtest): the score stage writes them as of the latest night, the
 * published pages show their figures, a page reads the table while it is current and computes the
 * same SQL itself when it is stale or absent, with the same JSON either way; and the tables' figures
 * agree with the raw tables counted here another way.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { writeReportTables } from '../../pipeline/report-tables/index.ts';
import { isCurrent } from '../../pipeline/report-tables/made-from.ts';
import { accountsData } from '../../reports/src/data/accounts.json.ts';
import { pipelineData } from '../../reports/src/data/pipeline.json.ts';
import { relationshipsData } from '../../reports/src/data/relationships.json.ts';
import { STRICT_ENV } from '../../reports/src/data/tables.ts';
import type { RealRun } from '../helpers/real-run.ts';
import { publishedJson, sharedRealSite } from '../helpers/shared-site.ts';
import { tempDir } from '../helpers/temp.ts';

const TABLES = ['account_summary', 'deal_threading', 'stage_spells'];

/** What the site would publish: the page's data through JSON. */
const asPublished = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('the report tables on a database the real stages wrote', () => {
  const tmp = tempDir();
  let run: RealRun;
  let published: Record<'accounts' | 'relationships' | 'pipeline', any>;
  let copies = 0;

  /** A writable copy of the real run's database (the shared one is only read). */
  function copyOfRun(): string {
    const db = join(tmp.dir, `copy-${++copies}.duckdb`);
    copyFileSync(run.dbPath, db);
    if (existsSync(`${run.dbPath}.wal`)) copyFileSync(`${run.dbPath}.wal`, `${db}.wal`);
    return db;
  }

  /** The page's data outside strict mode, where a stale or absent table is computed instead. */
  async function pageData<T>(db: string, page: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const before = process.env[STRICT_ENV];
    delete process.env[STRICT_ENV];
    try {
      return asPublished(await withDatabase(db, page));
    } finally {
      if (before !== undefined) process.env[STRICT_ENV] = before;
    }
  }

  beforeAll(async () => {
    const shared = await sharedRealSite();
    run = shared.run;
    published = {
      accounts: publishedJson(shared.siteDir, 'accounts'),
      relationships: publishedJson(shared.siteDir, 'relationships'),
      pipeline: publishedJson(shared.siteDir, 'pipeline'),
    };
  }, 1_200_000);
  afterAll(() => tmp.cleanup());

  it('are written by the score stage as of the latest night, and current for the pages', async () => {
    const { registry, current } = await withDatabase(
      run.dbPath,
      async (conn) => ({
        registry: await queryRows<{ table: string; asOf: string; rows: number; actual: number }>(
          conn,
          `SELECT r.table_name AS "table", strftime(r.as_of, '%Y-%m-%d') AS "asOf", r.row_count::INTEGER AS rows,
                  CASE r.table_name WHEN 'account_summary' THEN (SELECT count(*) FROM account_summary)
                                    WHEN 'deal_threading' THEN (SELECT count(*) FROM deal_threading)
                                    ELSE (SELECT count(*) FROM stage_spells) END::INTEGER AS actual
           FROM report_tables AS r ORDER BY r.table_name`,
        ),
        current: await Promise.all(TABLES.map((table) => isCurrent(conn, table, run.nights[1]))),
      }),
      { readOnly: true },
    );
    expect(registry.map((r) => r.table)).toEqual([...TABLES].sort());
    for (const row of registry) {
      expect(row.asOf, row.table).toBe(run.nights[1]);
      expect(row.rows, row.table).toBe(row.actual);
      expect(row.rows, row.table).toBeGreaterThan(0);
    }
    expect(current).toEqual([true, true, true]);
  });

  it("shows on the accounts page the figures of the stage's account_summary", async () => {
    const rows = await withDatabase(
      run.dbPath,
      (conn) =>
        queryRows<Record<string, any>>(
          conn,
          `SELECT account_id, label, segment, round(value, 2)::DOUBLE AS value, round(potential, 2)::DOUBLE AS potential,
                  open_deals::INTEGER AS open_deals, open_amount, our_people::INTEGER AS our_people,
                  their_contacts::INTEGER AS their_contacts, executive, round(strength, 1)::DOUBLE AS strength
           FROM account_summary`,
        ),
      { readOnly: true },
    );
    const byId = new Map(rows.map((row) => [row['account_id'], row]));
    const page = published.accounts;
    expect(page.totalAccounts).toBe(rows.length);
    expect(page.accounts.length).toBeGreaterThan(10);
    for (const account of page.accounts) {
      const row = byId.get(account.accountId)!;
      expect(
        {
          label: account.label,
          segment: account.segment,
          value: account.value,
          potential: account.potential,
          openDeals: account.openDeals,
          openAmount: account.openAmount,
          ourPeople: account.ourPeople,
          theirContacts: account.theirContacts,
          executive: account.executiveInvolved,
          strength: account.strength,
        },
        account.accountId,
      ).toEqual({
        label: row['label'],
        segment: row['segment'],
        value: row['value'],
        potential: row['potential'],
        openDeals: row['open_deals'],
        openAmount: row['open_amount'],
        ourPeople: row['our_people'],
        theirContacts: row['their_contacts'],
        executive: row['executive'],
        strength: row['strength'],
      });
    }
    // the figures are not all zero: the page would agree with an empty summary too
    expect(page.accounts.some((a: { potential: number }) => a.potential > 0)).toBe(true);
    expect(page.accounts.some((a: { ourPeople: number }) => a.ourPeople > 0)).toBe(true);
    expect(page.accounts.some((a: { strength: number }) => a.strength > 0)).toBe(true);
  });

  it("shows on the relationships page the threading of the stage's deal_threading", async () => {
    const byStage = await withDatabase(
      run.dbPath,
      (conn) =>
        queryRows<{ stage: string; single: number; multi: number; atRisk: number }>(
          conn,
          `SELECT stage, count(*) FILTER (WHERE engaged_contacts <= 1)::INTEGER AS single,
                  count(*) FILTER (WHERE engaged_contacts > 1)::INTEGER AS multi,
                  coalesce(sum(amount) FILTER (WHERE engaged_contacts <= 1), 0)::DOUBLE AS "atRisk"
           FROM deal_threading GROUP BY stage ORDER BY stage`,
        ),
      { readOnly: true },
    );
    const page = [...published.relationships.threading].sort((a, b) => a.stage.localeCompare(b.stage));
    expect(page.map((s) => s.stage)).toEqual(byStage.map((s) => s.stage));
    for (const [i, stage] of byStage.entries()) {
      expect(page[i].singleThreaded, stage.stage).toBe(stage.single);
      expect(page[i].multiThreaded, stage.stage).toBe(stage.multi);
      expect(page[i].amountAtRisk, stage.stage).toBeCloseTo(stage.atRisk, 6);
    }
    expect(byStage.some((s) => s.multi > 0) && byStage.some((s) => s.single > 0)).toBe(true);
  });

  it("agrees with the raw tables counted another way: an account's open deals, a deal's contacts, a deal's current stage", async () => {
    const mismatches = await withDatabase(
      run.dbPath,
      (conn) =>
        queryRows<{ accounts: number; deals: number; spells: number; checked: number }>(
          conn,
          `WITH night AS (SELECT DATE '${run.nights[1]}' AS d),
           open_by_account AS (
               SELECT account_id, count(*) AS n FROM opportunities, night
               WHERE is_closed IS NOT TRUE AND created_date <= night.d GROUP BY account_id
           ),
           contacts_by_deal AS (
               SELECT a.opportunity_id, count(DISTINCT p.participant_id) AS n
               FROM activities AS a JOIN activity_participants AS p USING (activity_id), night
               WHERE p.participant_type = 'contact' AND a.occurred_at::DATE <= night.d GROUP BY a.opportunity_id
           ),
           last_change AS (
               SELECT opportunity_id, arg_max(stage, (changed_at, stage)) AS stage
               FROM opportunity_history, night WHERE changed_at::DATE <= night.d GROUP BY opportunity_id
           )
           SELECT (SELECT count(*) FROM account_summary AS s LEFT JOIN open_by_account AS o USING (account_id)
                   WHERE s.open_deals <> coalesce(o.n, 0))::INTEGER AS accounts,
                  (SELECT count(*) FROM deal_threading AS t LEFT JOIN contacts_by_deal AS c USING (opportunity_id)
                   WHERE t.engaged_contacts <> coalesce(c.n, 0))::INTEGER AS deals,
                  (SELECT count(*) FROM stage_spells AS s JOIN last_change AS l USING (opportunity_id)
                   WHERE s.left_at IS NULL AND s.stage <> l.stage)::INTEGER AS spells,
                  (SELECT count(*) FROM stage_spells WHERE left_at IS NULL)::INTEGER AS checked`,
        ),
      { readOnly: true },
    );
    expect(mismatches).toEqual([{ accounts: 0, deals: 0, spells: 0, checked: expect.any(Number) }]);
    expect(mismatches[0]!.checked).toBeGreaterThan(100);
  });

  it('are what the pages read while current: a change to a table shows on its page', async () => {
    const db = copyOfRun();
    const top = published.accounts.accounts[0];
    await withDatabase(db, async (conn) => {
      await conn.run(`UPDATE account_summary SET strength = strength + 1000 WHERE account_id = '${top.accountId}'`);
      await conn.run('UPDATE deal_threading SET engaged_contacts = 0');
      await conn.run('DELETE FROM stage_spells WHERE left_at IS NULL');
    });
    const accounts = await pageData(db, accountsData);
    expect(accounts.accounts[0]!.accountId).toBe(top.accountId);
    expect(accounts.accounts[0]!.strength).toBeCloseTo(top.strength + 1000, 1);
    const relationships = await pageData(db, relationshipsData);
    expect(relationships.threading.every((s: { multiThreaded: number }) => s.multiThreaded === 0)).toBe(true);
    expect(published.relationships.threading.some((s: { multiThreaded: number }) => s.multiThreaded > 0)).toBe(true);
    const pipeline = await pageData(db, pipelineData);
    expect(pipeline.stageTimes.every((s: { openDeals: number }) => s.openDeals === 0)).toBe(true);
    expect(published.pipeline.stageTimes.some((s: { openDeals: number }) => s.openDeals > 0)).toBe(true);
  });

  it('are computed by the page from the same SQL when stale or absent, giving the page it published', async () => {
    // stale: a rescore since (scores written later than the tables were made from), with the tables changed
    const stale = copyOfRun();
    await withDatabase(stale, async (conn) => {
      await conn.run('UPDATE account_summary SET strength = strength + 1000, value = value + 1000');
      await conn.run('UPDATE deal_threading SET engaged_contacts = 0');
      await conn.run('DELETE FROM stage_spells');
      await conn.run('UPDATE report_tables SET scored_at = scored_at - INTERVAL 1 SECOND');
    });
    // absent: a database scored before the report tables existed
    const absent = copyOfRun();
    await withDatabase(absent, async (conn) => {
      for (const table of [...TABLES, 'report_tables']) await conn.run(`DROP TABLE ${table}`);
    });
    for (const db of [stale, absent]) {
      const current = await withDatabase(db, (conn) =>
        Promise.all(TABLES.map((table) => isCurrent(conn, table, run.nights[1]))),
      );
      expect(current).toEqual([false, false, false]);
      expect(await pageData(db, accountsData)).toEqual(published.accounts);
      expect(await pageData(db, relationshipsData)).toEqual(published.relationships);
      expect(await pageData(db, pipelineData)).toEqual(published.pipeline);
    }
  });
});

describe('the report tables without scores', () => {
  it('are not written, and scoring does not fail, when no open deal was scored', async () => {
    const written = await withDatabase(':memory:', async (conn) => {
      await conn.run('CREATE TABLE scores (opportunity_id VARCHAR, as_of DATE, scored_at TIMESTAMP)');
      const summary = await writeReportTables(conn, { log: quietLogger });
      const [registry] = await queryRows<{ n: number }>(
        conn,
        `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'report_tables'`,
      );
      return { summary, registry: registry!.n };
    });
    expect(written).toEqual({ summary: { asOf: null, tables: {} }, registry: 0 });
  });
});
