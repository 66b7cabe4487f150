import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { generate } from '../../pipeline/generate/index.ts';
import { loadExports } from '../../pipeline/load/index.ts';
import { writeSuggestedMapping, type MappingSuggestion } from '../../pipeline/load/mapping/suggest.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { tempDir } from '../helpers/temp.ts';

const MAVEN = 'data/samples/maven-crm';
const warnings: string[] = [];
const recordingLogger = { ...quietLogger, warn: (line: string) => warnings.push(line) };

describe('wuwei init: a draft mapping that loads', () => {
  const tmp = tempDir();
  const flat = join(tmp.dir, 'flat');
  beforeAll(async () => {
    await generate({
      out: flat,
      opportunities: 600,
      seed: 8,
      asOf: '2026-06-30',
      start: '2024-01-01',
      shape: 'flat',
      customColumns: true,
      zeroAmountShare: 0.05,
      log: quietLogger,
    });
  });
  afterAll(() => tmp.cleanup());

  const suggest = (source: string, name: string) =>
    withDatabase(':memory:', (conn) => writeSuggestedMapping(conn, source, join(tmp.dir, name)));

  it('maps the Maven CRM sample as its hand-written mapping does, and the draft loads unedited', async () => {
    const draft = await suggest(MAVEN, 'maven.yaml');
    const opportunities = draft.mapping.entities['opportunities']!;
    expect(opportunities.file).toBe('sales_pipeline.csv');
    expect(opportunities.columns).toMatchObject({
      opportunity_id: 'opportunity_id',
      account_id: 'account',
      owner_id: 'sales_agent',
      created_date: 'engage_date',
      amount: 'close_value',
    });
    expect(draft.mapping.entities['accounts']!.file).toBe('accounts.csv');
    expect(draft.mapping.entities['users']!.file).toBe('sales_teams.csv');
    expect(Object.fromEntries(draft.stages.map((s) => [s.value, s.proposed]))).toEqual({
      Won: 'Closed Won',
      Lost: 'Closed Lost',
      Engaging: 'Qualification',
      Prospecting: 'Prospecting',
    });
    expect(draft.customColumns.accounts).toEqual(['year_established', 'subsidiary_of']);
    expect(draft.asOf).toBe('2017-12-31');
    // the sample's known gaps (deals without account or date) are flagged, with a reject share that lets the rest in
    expect(draft.checks.some((c) => c.includes('empty required value'))).toBe(true);
    expect(draft.mapping.max_reject_share).toBe(0.25);
    expect(parse(readFileSync(join(tmp.dir, 'maven.yaml'), 'utf8'))).toEqual(draft.mapping);

    await withDatabase(':memory:', async (conn) => {
      const summary = await loadExports(conn, {
        source: MAVEN,
        mapping: join(tmp.dir, 'maven.yaml'),
        log: quietLogger,
      });
      expect(summary.entities['opportunities']!.loaded).toBeGreaterThan(6500);
      const stages = await queryRows<{ stage: string }>(conn, `SELECT DISTINCT stage FROM opportunities ORDER BY 1`);
      expect(stages.map((s) => s.stage)).toEqual(['Closed Lost', 'Closed Won', 'Qualification']);
      const [won] = await queryRows<{ n: number }>(
        conn,
        `SELECT count(*)::INTEGER AS n FROM opportunities WHERE is_won AND is_closed AND stage = 'Closed Won'`,
      );
      expect(won!.n).toBeGreaterThan(4000);
    });
  });

  it('finds contract columns under other names, and reads stage values as open, won and lost', async () => {
    const renamed = join(tmp.dir, 'renamed');
    mkdirSync(renamed);
    await withDatabase(':memory:', async (conn) => {
      for (const file of ['accounts', 'users'])
        await conn.run(`COPY (SELECT * FROM read_csv('${join(flat, file)}.csv')) TO '${join(renamed, file)}.csv'`);
      await conn.run(
        `COPY (SELECT opportunity_id AS "Opportunity ID", account_id AS "Account", owner_id AS "Deal Owner", created_date AS "Created On",
                      close_date AS "Close Date", replace(replace(stage, 'Closed Won', 'Won'), 'Closed Lost', 'Lost') AS "Deal Stage",
                      amount AS close_value, tender_flag AS "Tender Flag"
               FROM read_csv('${join(flat, 'opportunities')}.csv')) TO '${join(renamed, 'deals')}.csv'`,
      );
    });
    writeFileSync(join(renamed, 'as_of.txt'), '2026-06-30\n');
    const draft: MappingSuggestion = await suggest(renamed, 'renamed.yaml');
    expect(draft.mapping.entities['opportunities']).toMatchObject({
      file: 'deals.csv',
      columns: {
        opportunity_id: 'Opportunity ID',
        account_id: 'Account',
        owner_id: 'Deal Owner',
        created_date: 'Created On',
        close_date: 'Close Date',
        amount: 'close_value',
      },
    });
    expect(draft.customColumns.opportunities).toEqual(['Tender Flag']);
    await withDatabase(':memory:', async (conn) => {
      const summary = await loadExports(conn, {
        source: renamed,
        mapping: join(tmp.dir, 'renamed.yaml'),
        log: quietLogger,
      });
      const [counts] = await queryRows<{ closed: number; won: number; deals: number }>(
        conn,
        `SELECT count(*) FILTER (WHERE is_closed)::INTEGER AS closed, count(*) FILTER (WHERE is_won)::INTEGER AS won, count(*)::INTEGER AS deals FROM opportunities`,
      );
      const [truth] = await queryRows<{ closed: number; won: number }>(
        conn,
        `SELECT count(*) FILTER (WHERE NOT open_at_cut)::INTEGER AS closed, count(*) FILTER (WHERE NOT open_at_cut AND final_outcome = 'won')::INTEGER AS won FROM read_csv('${join(flat, 'ground_truth.csv')}')`,
      );
      expect(counts).toEqual({ ...truth, deals: 600 });
      expect(summary.customAttributes.opportunities).toEqual(['Tender Flag']);
    });
  });

  it('on a generated flat export with custom columns: nothing to check, and every custom column is kept', async () => {
    const draft = await suggest(flat, 'flat.yaml');
    expect(draft.checks.filter((c) => c.startsWith('CHECK'))).toEqual([]);
    expect(draft.customColumns).toEqual({
      opportunities: ['tender_flag', 'budget_allocated', 'marketing_score', 'loss_reason'],
      accounts: ['client_revenue_band', 'revenue_from_client_2y'],
    });
    expect(draft.statedAsOf).toBe('2026-06-30');
    await withDatabase(':memory:', async (conn) => {
      const summary = await loadExports(conn, { source: flat, mapping: join(tmp.dir, 'flat.yaml'), log: quietLogger });
      expect(summary.entities['opportunities']!.loaded).toBe(600);
      expect(summary.customAttributes.accounts).toEqual(['client_revenue_band', 'revenue_from_client_2y']);
      expect(summary.staleExport).toBeUndefined();
    });
  });

  it('load warns in one line when its as-of date is more than 90 days past the newest record', async () => {
    await withDatabase(':memory:', async (conn) => {
      const summary = await loadExports(conn, { source: flat, asOf: '2026-12-01', log: recordingLogger });
      expect(summary.newestRecord).toBe('2026-06-30');
      expect(summary.staleExport).toMatch(
        /^the as-of date 2026-12-01 \(--as-of\) is 154 days past the export's newest record \(2026-06-30\)/,
      );
      expect(warnings.filter((w) => w.includes('days past'))).toEqual([summary.staleExport]);
    });
  });
});
