/**
 * The rules behind the vendor layouts, each on a small hand-written export: header case and report
 * labels, 15- against 18-character ids, stages inferred from the deals when no stage file exists,
 * an unknown stage kept, unmapped values named, every deal rejected fails even at a limit of 1,
 * dates with an offset keep their local date, JSON envelopes and Dataverse lookups.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WuweiError } from '../../pipeline/base/errors.ts';
import { tempDir } from '../helpers/temp.ts';
import { csv, writeExport } from './export-fixture.ts';
import { load, rows, withMemoryDb } from './helpers.ts';
import { writeFileSync } from 'node:fs';

const tmp = tempDir('wuwei-vendor-shapes-');
afterAll(() => tmp.cleanup());

const ACCOUNT_18 = '0015g00000AbCdEAAA';
const ACCOUNT_15 = '0015g00000AbCdE';
const USER = '0055g00000XyZaBAAA';

/** A Salesforce report export: labels, 15-character ids, US dates; the Data Loader files beside it in capitals. */
function salesforceExport(name: string, deals: string[]): string {
  return writeExport(join(tmp.dir, name), {
    Account: csv(
      '"ID","NAME","INDUSTRY","BILLINGCOUNTRY","CREATEDDATE"',
      `"${ACCOUNT_18}","Acme","Retail","Germany","2024-01-05T09:00:00.000Z"`,
    ),
    User: csv('"ID","NAME","TITLE"', `"${USER}","Ada Lovelace","AE"`),
    Opportunity: csv(
      'Opportunity ID,Opportunity Name,Account ID,Owner ID,Stage,Probability (%),Close Date,Created Date,Amount,Closed,Won',
      ...deals,
    ),
  });
}

describe('vendor shapes', () => {
  it('reads capital headers and report labels, joins 15- and 18-character ids, and infers the stages from the deals', async () => {
    const source = salesforceExport('report', [
      `0065g00000Opp01,Deal 1,${ACCOUNT_15},${USER.slice(0, 15)},Needs Analysis,20,3/31/2026,1/15/2026,1000,false,false`,
      `0065g00000Opp02,Deal 2,${ACCOUNT_15},${USER.slice(0, 15)},Value Proposition,50,4/30/2026,1/16/2026,2000,false,false`,
      `0065g00000Opp03,Deal 3,${ACCOUNT_15},${USER.slice(0, 15)},Prospecting,10,5/31/2026,1/17/2026,3000,false,false`,
      `0065g00000Opp04,Deal 4,${ACCOUNT_15},${USER.slice(0, 15)},Closed Won,100,2/28/2026,1/10/2026,4000,true,true`,
      `0065g00000Opp05,Deal 5,${ACCOUNT_15},${USER.slice(0, 15)},Lost to Competitor,0,2/20/2026,1/11/2026,5000,true,false`,
      `0065g00000Opp06,Deal 6,${ACCOUNT_15},${USER.slice(0, 15)},Stalled,,5/31/2026,1/18/2026,6000,false,false`,
    ]);
    await withMemoryDb(async (conn) => {
      const summary = await load(conn, { source, layout: 'salesforce', asOf: '2026-06-30' });
      expect(summary.entities['opportunities']).toMatchObject({ loaded: 6, rejected: 0 });
      // Open stages by their default probability; a stage without one last; closed ones by the IsClosed/IsWon flags.
      expect(summary.stages).toMatchObject({
        from: 'inferred',
        open: ['Prospecting', 'Needs Analysis', 'Value Proposition', 'Stalled'],
        won: ['Closed Won'],
        lost: ['Lost to Competitor'],
      });
      expect(summary.stages.unlisted.map((u) => u.stage)).toEqual([
        'Needs Analysis',
        'Value Proposition',
        'Stalled',
        'Lost to Competitor',
      ]);
      const deals = await rows<{ id: string; account: string; stage: string; created: string; close: string }>(
        conn,
        `SELECT opportunity_id AS id, account_id AS account, stage, strftime(created_date, '%Y-%m-%d') AS created, strftime(close_date, '%Y-%m-%d') AS close FROM opportunities ORDER BY 1`,
      );
      expect(deals.map((d) => d.account)).toEqual(Array(6).fill(ACCOUNT_15));
      expect(deals.find((d) => d.id === '0065g00000Opp05')!.stage).toBe('Closed Lost');
      expect(deals[0]).toMatchObject({ created: '2026-01-15', close: '2026-03-31' });
      const [stages] = await rows<{ n: number }>(
        conn,
        `SELECT count(*)::INTEGER AS n FROM crm_stages WHERE crm_stage = 'Lost to Competitor' AND stage = 'Closed Lost'`,
      );
      expect(stages!.n).toBe(1);
    });
  });

  it("keeps the config file's stage list first, and a stage it lacks as an open stage of its own, reported", async () => {
    const source = writeExport(join(tmp.dir, 'configured'), {
      accounts: csv('account_id,name,created_date', 'A1,Acme,2024-01-01'),
      users: csv('user_id,name', 'U1,Ada'),
      opportunities: csv(
        'opportunity_id,account_id,owner_id,created_date,stage,is_closed,is_won',
        'O1,A1,U1,2026-01-01,Discovery,false,false',
        'O2,A1,U1,2026-01-02,Stalled,false,false',
        'O3,A1,U1,2026-01-03,Signed,true,true',
      ),
    });
    const configuredStages = {
      stages: [
        { name: 'Discovery', probability: 0.3 },
        { name: 'Proposal', probability: 0.6 },
      ],
      wonStages: ['Won'],
      lostStages: ['Lost'],
    };
    await withMemoryDb(async (conn) => {
      const summary = await load(conn, { source, asOf: '2026-06-30', configuredStages });
      expect(summary.entities['opportunities']).toMatchObject({ loaded: 3, rejected: 0 });
      expect(summary.stages).toMatchObject({
        from: 'config',
        open: ['Discovery', 'Proposal', 'Stalled'],
        won: ['Signed', 'Won'],
        lost: ['Lost'],
      });
      expect(summary.stages.unlisted).toEqual([
        { stage: 'Stalled', deals: 1 },
        { stage: 'Signed', deals: 1 },
      ]);
      expect(await rows(conn, `SELECT opportunity_id, stage FROM opportunities ORDER BY 1`)).toEqual([
        { opportunity_id: 'O1', stage: 'Discovery' },
        { opportunity_id: 'O2', stage: 'Stalled' },
        { opportunity_id: 'O3', stage: 'Won' },
      ]);
    });
  });

  it('reads Salesforce field history (one row per field change) as the deal state after each change', async () => {
    const source = salesforceExport('field-history', [
      `0065g00000Opp01,Deal 1,${ACCOUNT_15},${USER.slice(0, 15)},Closed Lost,0,3/31/2026,1/15/2026,1500,true,false`,
    ]);
    writeFileSync(
      join(source, 'OpportunityFieldHistory.csv'),
      csv(
        'Id,OpportunityId,CreatedDate,Field,OldValue,NewValue',
        '0175g0000001,0065g00000Opp01AAA,2026-01-15T10:00:00.000Z,StageName,,Prospecting',
        '0175g0000002,0065g00000Opp01AAA,2026-01-15T10:00:00.000Z,Amount,,1000',
        '0175g0000003,0065g00000Opp01AAA,2026-02-01T10:00:00.000Z,Amount,1000,1500',
        '0175g0000004,0065g00000Opp01AAA,2026-02-10T10:00:00.000Z,CloseDate,2026-03-01,2026-03-31',
        '0175g0000005,0065g00000Opp01AAA,2026-03-31T10:00:00.000Z,StageName,Prospecting,Closed Lost',
      ),
    );
    await withMemoryDb(async (conn) => {
      const summary = await load(conn, { source, layout: 'salesforce', asOf: '2026-06-30' });
      expect(summary.entities['opportunity_history']).toMatchObject({ loaded: 5, rejected: 0 });
      expect(
        await rows(
          conn,
          `SELECT strftime(changed_at, '%Y-%m-%d') AS at, stage, amount, strftime(close_date, '%Y-%m-%d') AS close FROM opportunity_history ORDER BY changed_at, amount NULLS FIRST`,
        ),
      ).toEqual([
        { at: '2026-01-15', stage: 'Prospecting', amount: null, close: null },
        { at: '2026-01-15', stage: 'Prospecting', amount: 1000, close: null },
        { at: '2026-02-01', stage: 'Prospecting', amount: 1500, close: null },
        { at: '2026-02-10', stage: 'Prospecting', amount: 1500, close: '2026-03-31' },
        { at: '2026-03-31', stage: 'Closed Lost', amount: 1500, close: '2026-03-31' },
      ]);
    });
  });

  it('fails when every deal is rejected, even with a reject limit of 100%', async () => {
    const source = salesforceExport('all-rejected', [
      `0065g00000Opp01,Deal 1,0015g00000NoSuch,${USER.slice(0, 15)},Prospecting,10,3/31/2026,1/15/2026,1000,false,false`,
    ]);
    await withMemoryDb(async (conn) => {
      const error = await load(conn, { source, layout: 'salesforce', asOf: '2026-06-30', maxRejectRate: 1 }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WuweiError);
      expect((error as Error).message).toMatch(/1 of 1 opportunities rows rejected/);
    });
  });

  it('names values a value map does not know, and keeps the local date of a timestamp with an offset', async () => {
    const source = writeExport(join(tmp.dir, 'unmapped'), {
      accounts: csv('account_id,name,created_date', 'A1,Acme,2024-01-01'),
      users: csv('user_id,name', 'U1,Ada'),
      opportunities: csv(
        'opportunity_id,account_id,owner_id,created_date,stage,type',
        'O1,A1,U1,2026-03-01T21:30:00-05:00,Prospecting,Expansion',
        'O2,A1,U1,2026-03-02,Prospecting,Expansion',
      ),
    });
    const mapping = join(tmp.dir, 'unmapped.yaml');
    writeFileSync(
      mapping,
      [
        'name: typed',
        'entities:',
        '  accounts: { file: accounts, columns: { account_id: account_id, name: name, created_date: created_date } }',
        '  users: { file: users, columns: { user_id: user_id, name: name } }',
        '  opportunities:',
        '    file: opportunities',
        '    columns:',
        '      opportunity_id: opportunity_id',
        '      account_id: account_id',
        '      owner_id: owner_id',
        '      created_date: created_date',
        '      stage: stage',
        '      type: { column: type, map: { New: new, Upsell: upsell }, default: null }',
        '',
      ].join('\n'),
    );
    await withMemoryDb(async (conn) => {
      const summary = await load(conn, { source, mapping, asOf: '2026-06-30' });
      expect(summary.unmapped).toEqual([
        expect.objectContaining({ entity: 'opportunities', column: 'type', values: { Expansion: 2 }, rows: 2 }),
      ]);
      const deals = await rows<{ created: string; type: string | null }>(
        conn,
        `SELECT strftime(created_date, '%Y-%m-%d') AS created, type FROM opportunities ORDER BY opportunity_id`,
      );
      expect(deals).toEqual([
        { created: '2026-03-01', type: null },
        { created: '2026-03-02', type: null },
      ]);
    });
  });

  it('reads Dataverse Web API pages: the value envelope, _x_value lookups, formatted values, reciprocal connections left out', async () => {
    const dir = join(tmp.dir, 'dataverse');
    const page = (table: string, value: unknown[]) =>
      writeExport(dir, {}) &&
      writeFileSync(
        join(dir, `${table}.json`),
        JSON.stringify({ '@odata.context': `https://x/$metadata#${table}s`, value }),
      );
    const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    page('account', [{ '@odata.etag': 'W/"1"', accountid: guid(1), name: 'Acme', createdon: '2024-01-01T00:00:00Z' }]);
    page('systemuser', [
      {
        systemuserid: guid(2),
        fullname: 'Ada',
        _businessunitid_value: guid(9),
        '_businessunitid_value@OData.Community.Display.V1.FormattedValue': 'Sales',
      },
    ]);
    page('contact', [{ contactid: guid(3), _parentcustomerid_value: guid(1), createdon: '2024-02-01T00:00:00Z' }]);
    page('opportunity', [
      {
        opportunityid: guid(4),
        _parentaccountid_value: guid(1),
        _ownerid_value: guid(2),
        createdon: '2026-01-01T10:00:00Z',
        statecode: 0,
        stepname: '2-Develop',
        salesstage: 1,
        estimatedvalue: 920,
        estimatedvalue_base: 1000,
        exchangerate: 0.92,
      },
      {
        opportunityid: guid(5),
        _parentaccountid_value: guid(1),
        _ownerid_value: guid(2),
        createdon: '2026-01-02T10:00:00Z',
        statecode: 0,
        stepname: '1-Qualify',
        salesstage: 0,
        estimatedvalue: 50,
        estimatedvalue_base: 50,
      },
    ]);
    page('connection', [
      {
        connectionid: guid(6),
        _record1id_value: guid(4),
        record1objecttypecode: 'opportunity',
        _record2id_value: guid(3),
        record2objecttypecode: 'contact',
        _record2roleid_value: guid(7),
        '_record2roleid_value@OData.Community.Display.V1.FormattedValue': 'Technical Buyer',
        createdon: '2026-01-05T00:00:00Z',
      },
      {
        connectionid: guid(8),
        _record1id_value: guid(3),
        record1objecttypecode: 'contact',
        _record2id_value: guid(4),
        record2objecttypecode: 'opportunity',
        createdon: '2026-01-05T00:00:00Z',
      },
    ]);
    await withMemoryDb(async (conn) => {
      const summary = await load(conn, { source: dir, layout: 'dynamics', asOf: '2026-06-30' });
      expect(Object.values(summary.entities).reduce((n, e) => n + e.rejected, 0)).toBe(0);
      expect(summary.stages.open).toEqual(['1-Qualify', '2-Develop']);
      expect(await rows(conn, `SELECT opportunity_id, account_id, amount FROM opportunities ORDER BY 1`)).toEqual([
        { opportunity_id: guid(4), account_id: guid(1), amount: 1000 },
        { opportunity_id: guid(5), account_id: guid(1), amount: 50 },
      ]);
      expect(await rows(conn, `SELECT opportunity_id, contact_id, role FROM opportunity_contact_roles`)).toEqual([
        { opportunity_id: guid(4), contact_id: guid(3), role: 'technical_evaluator' },
      ]);
      expect(await rows(conn, `SELECT team FROM users`)).toEqual([{ team: 'Sales' }]);
    });
  });
});
