/**
 * Dynamics 365's close activity (opportunityclose) is the close record of a won or lost deal: where
 * the opportunity row lacks its actual close date and value, the completed close activity's actualend
 * and (for a win) actualrevenue stand in; a canceled close activity, and one of a deal reopened since, do not.
 * The competitor a lost deal's close activity names is one of its competitors from the close on.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.ts';
import { load, rows, withMemoryDb } from './helpers.ts';

const { dir, cleanup } = tempDir('wuwei-dynamics-close-');
afterAll(cleanup);

type Page = { value: Record<string, unknown>[] };
const id = (n: number) => `00000004-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe('Dynamics opportunityclose', () => {
  it('gives a closed deal its close date and a won deal its amount; canceled and reopened closes do not count', async () => {
    const source = join(dir, 'export');
    cpSync(join(import.meta.dirname, '..', 'fixtures', 'vendors', 'dynamics-web-api'), source, { recursive: true });
    const read = (table: string) => JSON.parse(readFileSync(join(source, `${table}.json`), 'utf8')) as Page;
    const opportunities = read('opportunity');
    const deal = (n: number) => opportunities.value.find((o) => o.opportunityid === id(n))!;
    // Deal 8 is won and deal 2 lost (both in USD), deal 7 open: the opportunity rows keep no actual close date or value.
    expect([deal(8).statecode, deal(2).statecode, deal(7).statecode]).toEqual([1, 2, 0]);
    for (const n of [8, 2])
      for (const column of ['actualclosedate', 'actualvalue', 'actualvalue_base', 'estimatedvalue_base'])
        delete deal(n)[column];
    // Estimates that differ from the close record, so that reading the close record shows.
    Object.assign(deal(8), { estimatedclosedate: '2026-03-31', estimatedvalue: 1000 });
    Object.assign(deal(2), { estimatedclosedate: '2026-09-30', estimatedvalue: 2000 });
    writeFileSync(join(source, 'opportunity.json'), JSON.stringify(opportunities));
    const closes = read('opportunityclose');
    const close = (n: number) => closes.value.find((c) => c._opportunityid_value === id(n))!;
    expect(close(8)).toMatchObject({ actualend: '2025-12-07', actualrevenue: 161_710, statecode: 1 });
    expect(close(2)).toMatchObject({ actualend: '2026-05-10', statecode: 1 });
    closes.value.push(
      { ...close(8), activityid: 'canceled-8', actualend: '2026-06-01', actualrevenue: 1, statecode: 2, statuscode: 3 }, // canceled: not the record
      { ...close(2), activityid: 'earlier-2', actualend: '2026-01-15' }, // an earlier close, before a reopen: the latest counts
      { ...close(8), activityid: 'reopened-7', _opportunityid_value: id(7), actualend: '2026-02-01', actualrevenue: 5 }, // deal 7 is open again
    );
    // Deal 3 was lost to Globex, named only on its close activity; deal 2's close names Initech, already its competitor.
    expect(close(2)['_competitorid_value@OData.Community.Display.V1.FormattedValue']).toBe('Initech');
    Object.assign(close(3), {
      _competitorid_value: '0000000a-0000-4000-8000-000000000002',
      '_competitorid_value@OData.Community.Display.V1.FormattedValue': 'Globex',
    });
    writeFileSync(join(source, 'opportunityclose.json'), JSON.stringify(closes));
    await withMemoryDb(async (conn) => {
      const summary = await load(conn, { source, layout: 'dynamics', asOf: '2026-06-30' });
      expect(summary.entities['opportunities']).toMatchObject({ loaded: 40, rejected: 0 });
      expect(summary.entities['opportunity_competitors']!.rejected).toBe(0);
      // The competitor a deal was lost to, known from its close; the same competitor twice is one row.
      expect(
        await rows(
          conn,
          `SELECT right(opportunity_id, 2) AS deal, competitor, created_date::VARCHAR AS created FROM opportunity_competitors
        WHERE opportunity_id IN ('${id(2)}', '${id(3)}') ORDER BY deal`,
        ),
      ).toEqual([
        { deal: '02', competitor: 'Initech', created: deal(2).createdon!.toString().slice(0, 10) },
        { deal: '03', competitor: 'Globex', created: '2026-02-20' },
      ]);
      const stored = await rows(
        conn,
        `SELECT right(opportunity_id, 2) AS deal, stage, close_date::VARCHAR AS close_date, amount
        FROM opportunities WHERE opportunity_id IN ('${id(8)}', '${id(2)}', '${id(7)}') ORDER BY deal`,
      );
      expect(stored).toEqual([
        { deal: '02', stage: 'Closed Lost', close_date: '2026-05-10', amount: 2000 },
        {
          deal: '07',
          stage: deal(7).stepname,
          close_date: deal(7).estimatedclosedate,
          amount: deal(7).estimatedvalue_base,
        },
        { deal: '08', stage: 'Closed Won', close_date: '2025-12-07', amount: 161_710 },
      ]);
    });
  });
});
