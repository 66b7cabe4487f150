import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { generate } from '../../pipeline/generate/index.ts';
import { AS_OF_FILE, loadedAsOf, loadExports } from '../../pipeline/load/index.ts';
import { resolveAsOf } from '../../pipeline/load/as-of.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { tempDir } from '../helpers/temp.ts';
import { csv, databaseContents, HEADERS, writeExport } from './export-fixture.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const deal = (
  id: string,
  stage: string,
  amount: number,
  close: string,
  closed = false,
  won = false,
  created = '2026-01-10',
) =>
  `${id},A1,U1,Deal ${id},new,inbound,Platform,USD,${created},${close},${stage},0.1,pipeline,${closed},${won},${amount}`;

/** A nightly export without a history file: only the deals as they stand that night. */
function nightlyExport(name: string, deals: string[]): string {
  return writeExport(join(tmp.dir, name), {
    accounts: csv(HEADERS.accounts, 'A1,Acme,Tech,EMEA,smb,100,1000,U1,2024-01-01'),
    users: csv(HEADERS.users, 'U1,Ada,AE,account_executive,EMEA Sales,EMEA,,2020-01-01'),
    contacts: csv(HEADERS.contacts, 'C1,A1,Kim,Li,k@x.example,CFO,c_level,Finance,2024-01-01'),
    opportunities: csv(HEADERS.opportunities, ...deals),
  });
}

async function history(conn: DuckDBConnection): Promise<string[]> {
  const rows = await queryRows<{ row: string }>(
    conn,
    `SELECT opportunity_id || ' ' || strftime(changed_at, '%Y-%m-%d') || ' ' || stage || ' ' || amount::INTEGER || ' ' || strftime(close_date, '%Y-%m-%d') AS row
     FROM opportunity_history ORDER BY opportunity_id, changed_at`,
  );
  return rows.map((r) => r.row);
}

async function snapshotDates(conn: DuckDBConnection): Promise<string[]> {
  const rows = await queryRows<{ d: string; n: number }>(
    conn,
    `SELECT strftime(as_of, '%Y-%m-%d') AS d, count(*)::INTEGER AS n FROM snapshot_opportunities GROUP BY 1 ORDER BY 1`,
  );
  return rows.map((r) => `${r.d}:${r.n}`);
}

describe('nightly snapshots', () => {
  it('derives history from successive snapshots when the export has none, replaces a reloaded night and keeps earlier ones', async () => {
    const day1 = nightlyExport('day1', [
      deal('O1', 'Prospecting', 100, '2026-03-01'),
      deal('O2', 'Closed Won', 500, '2026-01-20', true, true, '2025-11-01'),
      deal('O3', 'Discovery', 300, '2026-04-01'),
    ]);
    const day2 = nightlyExport('day2', [
      deal('O1', 'Qualification', 100, '2026-03-01'), // stage change
      deal('O2', 'Closed Won', 500, '2026-01-20', true, true, '2025-11-01'), // unchanged
      deal('O3', 'Discovery', 350, '2026-04-15'), // amount and close date change
      deal('O4', 'Prospecting', 50, '2026-05-01', false, false, '2026-02-01'), // new deal
    ]);
    const day2Again = nightlyExport('day2-again', [
      deal('O1', 'Discovery', 100, '2026-03-01'),
      deal('O2', 'Closed Won', 500, '2026-01-20', true, true, '2025-11-01'),
      deal('O3', 'Discovery', 300, '2026-04-01'),
      deal('O4', 'Prospecting', 50, '2026-05-01', false, false, '2026-02-01'),
    ]);
    const day3 = nightlyExport('day3', [
      deal('O1', 'Closed Lost', 100, '2026-02-01', true, false), // closed with a date the day-2 snapshot still showed open
      deal('O2', 'Closed Won', 500, '2026-01-20', true, true, '2025-11-01'),
      deal('O3', 'Closed Won', 380, '2026-02-03', true, true),
      deal('O4', 'Prospecting', 50, '2026-05-01', false, false, '2026-02-01'),
    ]);
    const db = join(tmp.dir, 'nightly.duckdb');
    await withDatabase(db, async (conn) => {
      const first = await loadExports(conn, { source: day1, asOf: '2026-02-01', log: quietLogger });
      expect(first.snapshot).toEqual({
        asOf: '2026-02-01',
        replaced: false,
        snapshots: 1,
        history: 'derived',
        historyRows: 3,
      });
      // First night: open deals are known from that night on; a closed deal's close is dated at its close date.
      expect(await history(conn)).toEqual([
        'O1 2026-02-01 Prospecting 100 2026-03-01',
        'O2 2026-01-20 Closed Won 500 2026-01-20',
        'O3 2026-02-01 Discovery 300 2026-04-01',
      ]);

      const second = await loadExports(conn, { source: day2, asOf: '2026-02-02', log: quietLogger });
      expect(second.snapshot).toMatchObject({ replaced: false, snapshots: 2, history: 'derived' });
      expect(await history(conn)).toEqual([
        'O1 2026-02-01 Prospecting 100 2026-03-01',
        'O1 2026-02-02 Qualification 100 2026-03-01',
        'O2 2026-01-20 Closed Won 500 2026-01-20',
        'O3 2026-02-01 Discovery 300 2026-04-01',
        'O3 2026-02-02 Discovery 350 2026-04-15',
        'O4 2026-02-02 Prospecting 50 2026-05-01',
      ]);
      expect(await snapshotDates(conn)).toEqual(['2026-02-01:3', '2026-02-02:4']);

      // Loading night 2 again replaces its snapshot: the derived history follows the new copy, night 1 is kept.
      const again = await loadExports(conn, { source: day2Again, asOf: '2026-02-02', log: quietLogger });
      expect(again.snapshot).toMatchObject({ replaced: true, snapshots: 2 });
      expect(await history(conn)).toEqual([
        'O1 2026-02-01 Prospecting 100 2026-03-01',
        'O1 2026-02-02 Discovery 100 2026-03-01',
        'O2 2026-01-20 Closed Won 500 2026-01-20',
        'O3 2026-02-01 Discovery 300 2026-04-01',
        'O4 2026-02-02 Prospecting 50 2026-05-01',
      ]);
      expect(await snapshotDates(conn)).toEqual(['2026-02-01:3', '2026-02-02:4']);

      // Night 3: closes are dated at their close date, but never before the last night that showed the deal open.
      await loadExports(conn, { source: day3, asOf: '2026-02-04', log: quietLogger });
      expect(await history(conn)).toEqual([
        'O1 2026-02-01 Prospecting 100 2026-03-01',
        'O1 2026-02-02 Discovery 100 2026-03-01',
        'O1 2026-02-03 Closed Lost 100 2026-02-01',
        'O2 2026-01-20 Closed Won 500 2026-01-20',
        'O3 2026-02-01 Discovery 300 2026-04-01',
        'O3 2026-02-03 Closed Won 380 2026-02-03',
        'O4 2026-02-02 Prospecting 50 2026-05-01',
      ]);
      // The canonical tables hold the latest night.
      expect(await loadedAsOf(conn)).toBe('2026-02-04');
      const [o1] = await queryRows<{ stage: string }>(
        conn,
        `SELECT stage FROM opportunities WHERE opportunity_id = 'O1'`,
      );
      expect(o1!.stage).toBe('Closed Lost');

      // A failed night (here: a deal with a negative amount, 25% of the deals) leaves everything as it was.
      const before = await databaseContents(conn);
      const broken = nightlyExport('day4-broken', [
        deal('O1', 'Closed Lost', 100, '2026-02-01', true),
        deal('O2', 'Closed Won', -500, '2026-01-20', true, true),
        deal('O3', 'Closed Won', 380, '2026-02-03', true, true),
        deal('O4', 'Prospecting', 50, '2026-05-01'),
      ]);
      await expect(loadExports(conn, { source: broken, asOf: '2026-02-05', log: quietLogger })).rejects.toThrow(
        /1 of 4 opportunities rows rejected/,
      );
      expect(await databaseContents(conn)).toEqual(before);
    });
  });

  it("keeps an export's own history file instead of deriving one, and still records the snapshot", async () => {
    const source = writeExport(join(tmp.dir, 'with-history'), {
      accounts: csv(HEADERS.accounts, 'A1,Acme,Tech,EMEA,smb,100,1000,U1,2024-01-01'),
      users: csv(HEADERS.users, 'U1,Ada,AE,account_executive,EMEA Sales,EMEA,,2020-01-01'),
      contacts: csv(HEADERS.contacts, 'C1,A1,Kim,Li,k@x.example,CFO,c_level,Finance,2024-01-01'),
      opportunities: csv(HEADERS.opportunities, deal('O1', 'Qualification', 100, '2026-03-01')),
      opportunity_history: csv(
        HEADERS.opportunity_history,
        'O1,2026-01-10,Prospecting,100,2026-03-01,0.1,pipeline',
        'O1,2026-01-20,Qualification,100,2026-03-01,0.2,pipeline',
      ),
    });
    await withDatabase(':memory:', async (conn) => {
      const summary = await loadExports(conn, { source, asOf: '2026-02-01', log: quietLogger });
      expect(summary.snapshot).toMatchObject({ history: 'export', historyRows: 2, snapshots: 1 });
      expect(await history(conn)).toEqual([
        'O1 2026-01-10 Prospecting 100 2026-03-01',
        'O1 2026-01-20 Qualification 100 2026-03-01',
      ]);
      expect(await snapshotDates(conn)).toEqual(['2026-02-01:1']);
    });
  });

  it("stamps a load with --as-of, else the export's as_of.txt, else today", () => {
    const dir = nightlyExport('as-of', [deal('O1', 'Prospecting', 100, '2026-03-01')]);
    const today = new Date('2026-11-23T22:30:00Z');
    expect(resolveAsOf(dir, undefined, today)).toEqual({ asOf: '2026-11-23', from: 'today' });
    writeFileSync(join(dir, AS_OF_FILE), '2026-06-30\n');
    expect(resolveAsOf(dir, undefined, today)).toEqual({ asOf: '2026-06-30', from: 'export' });
    expect(resolveAsOf(dir, '2026-07-01', today)).toEqual({ asOf: '2026-07-01', from: 'option' });
    writeFileSync(join(dir, AS_OF_FILE), 'last night\n');
    expect(() => resolveAsOf(dir, undefined, today)).toThrow(/as_of\.txt: not a date YYYY-MM-DD/);
  });

  it('builds the features from a generated export whose history file was removed (history derived from one night)', async () => {
    const out = join(tmp.dir, 'generated');
    await generate({ out, opportunities: 600, seed: 4, asOf: '2026-06-30', start: '2024-01-01', log: quietLogger });
    rmSync(join(out, 'opportunity_history.csv'));
    await withDatabase(':memory:', async (conn) => {
      const summary = await loadExports(conn, { source: out, log: quietLogger });
      expect(summary.rejectReasons).toEqual({}); // a generated export breaks no rule
      expect(summary.asOf).toBe('2026-06-30');
      expect(summary.asOfFrom).toBe('export');
      expect(summary.snapshot.history).toBe('derived');
      const features = await buildFeatures(conn, { asOf: summary.asOf, log: quietLogger });
      // Every closed deal is known as closed, at its close date. One night shows no closed deal while it was
      // open, so training and scoring rows alike go without a stage (docs/model-inputs.md: one distribution).
      const [closes] = await queryRows<{ closed: number; closes_in_history: number; misdated: number }>(
        conn,
        `SELECT (SELECT count(*) FROM opportunities WHERE is_closed)::INTEGER AS closed,
                count(DISTINCT h.opportunity_id)::INTEGER AS closes_in_history,
                count(*) FILTER (WHERE h.changed_at <> o.close_date)::INTEGER AS misdated
         FROM opportunity_history AS h JOIN opportunities AS o USING (opportunity_id) WHERE h.stage IN ('Closed Won', 'Closed Lost')`,
      );
      expect(closes).toEqual({ closed: closes!.closes_in_history, closes_in_history: expect.any(Number), misdated: 0 });
      expect(features.trainingDeals).toBeGreaterThan(closes!.closed * 0.8);
      expect(features.scoringRows).toBe(summary.entities['opportunities']!.loaded - closes!.closed);
      const [open] = await queryRows<{ n: number; staged: number }>(
        conn,
        `SELECT count(*)::INTEGER AS n, count(stage)::INTEGER AS staged FROM features_score`,
      );
      expect(open!.n).toBeGreaterThan(20);
      expect(open!.staged).toBe(0);
      expect(features.dealState).toMatch(/flat/);
    });
  });
});
