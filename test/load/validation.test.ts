import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { WuweiError } from '../../pipeline/base/errors.ts';
import { loadExports, REJECT_REASONS } from '../../pipeline/load/index.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { tempDir } from '../helpers/temp.ts';
import { csv, databaseContents, HEADERS, writeExport } from './export-fixture.ts';

const AS_OF = '2026-02-01';
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/**
 * An export with one row breaking each rule. Line numbers are the file's physical lines: account A1's
 * name holds a line break, so every accounts row after it sits one line lower than its record number.
 */
const brokenExport = () =>
  writeExport(join(tmp.dir, 'broken'), {
    accounts: csv(
      HEADERS.accounts,
      'A1,"Acme\nInc",Tech,EMEA,smb,100,1000,U1,2024-01-01', // lines 2-3
      'A2,Beta,Tech,EMEA,smb,lots,1000,U1,2024-01-01', // line 4: employees not a number
      'A3,Gamma,Tech,EMEA,smb,100,1000,U1,2024-13-45', // line 5: not a date
      'A1,Again,Tech,EMEA,smb,100,1000,U1,2024-01-01', // line 6: duplicate key
      ',Nameless,Tech,EMEA,smb,100,1000,U1,2024-01-01', // line 7: no key
      'A4,Delta,Tech,EMEA,smb,100,1000,U1,2024-01-01', // line 8: fine
    ),
    users: csv(HEADERS.users, 'U1,Ada,AE,account_executive,EMEA Sales,EMEA,,2020-01-01'),
    contacts: csv(
      HEADERS.contacts,
      'C1,A1,Kim,Li,k@x.example,CFO,c_level,Finance,2024-01-01', // fine
      'C2,A2,Bo,Ek,b@x.example,CTO,c_level,IT,2024-01-01', // line 3: its account was rejected
      'C3,A9,Al,Fo,a@x.example,CTO,c_level,IT,2024-01-01', // line 4: no such account
    ),
    opportunities: csv(
      HEADERS.opportunities,
      'O1,A1,U1,One,new,inbound,Platform,USD,2026-01-01,2026-03-01,Prospecting,0.1,pipeline,false,false,100',
      'O2,A4,U1,Two,new,inbound,Platform,USD,2026-01-01,2026-03-01,Prospecting,0.1,pipeline,false,false,-5', // line 3
      'O3,A4,U1,Three,new,inbound,Platform,USD,2026-01-01,2025-12-01,Closed Lost,0,omitted,true,false,100', // line 4: a closed deal's close date is a fact
      'O4,A4,U1,Four,new,inbound,Platform,USD,2026-01-01,2026-03-01,Maybe,0.1,pipeline,false,false,100', // line 5
      'O5,A2,U1,Five,new,inbound,Platform,USD,2026-01-01,2026-03-01,Prospecting,0.1,pipeline,false,false,100', // line 6: account rejected
      'O6,A1,U1,Six,new,inbound,Platform,USD,2026-01-01,2026-03-01,Discovery,0.4,pipeline,false,false,100',
    ),
    opportunity_history: csv(
      HEADERS.opportunity_history,
      'O1,2026-01-01,Prospecting,100,2026-03-01,0.1,pipeline',
      'O5,2026-01-01,Prospecting,100,2026-03-01,0.1,pipeline', // line 3: its deal was rejected (cascade)
      'O6,2026-01-01,Discovery,100,2026-03-01,0.4,pipeline',
    ),
    activities: csv(
      HEADERS.activities,
      'T1,A1,O1,email,inbound,2026-01-05 10:00:00,0',
      'T2,A2,O5,email,inbound,2026-01-05 10:00:00,0', // line 3: account and deal rejected
      'T3,A1,,call,outbound,2026-01-06 10:00:00,20',
    ),
    activity_participants: csv(
      HEADERS.activity_participants,
      'T1,user,U1',
      'T2,contact,C2', // line 3: its activity was rejected: two levels down from the account
      'T3,user,U1',
      'T3,contact,C3', // line 5: a contact that was rejected
      'T3,user,U7', // line 6: no such user
    ),
  });

describe('row-level validation with quarantine', () => {
  it('sends each broken row to load_rejects with file, physical line, column, value and reason, and loads the rest', async () => {
    const source = brokenExport();
    await withDatabase(':memory:', async (conn) => {
      const summary = await loadExports(conn, { source, asOf: AS_OF, maxRejectRate: 1, log: quietLogger });
      const rejects = await queryRows<Record<string, unknown>>(
        conn,
        `SELECT entity, replace(file, '${source}/', '') AS file, line::INTEGER AS line, column_name, value, reason FROM load_rejects ORDER BY entity, line`,
      );
      const R = REJECT_REASONS;
      expect(rejects).toEqual([
        {
          entity: 'accounts',
          file: 'accounts.csv',
          line: 4,
          column_name: 'employees',
          value: 'lots',
          reason: R.unparseableNumber,
        },
        {
          entity: 'accounts',
          file: 'accounts.csv',
          line: 5,
          column_name: 'created_date',
          value: '2024-13-45',
          reason: R.unparseableDate,
        },
        {
          entity: 'accounts',
          file: 'accounts.csv',
          line: 6,
          column_name: 'account_id',
          value: 'A1',
          reason: R.duplicateKey,
        },
        {
          entity: 'accounts',
          file: 'accounts.csv',
          line: 7,
          column_name: 'account_id',
          value: null,
          reason: R.missingValue,
        },
        {
          entity: 'activities',
          file: 'activities.csv',
          line: 3,
          column_name: 'account_id',
          value: 'A2',
          reason: R.rejectedParent,
        },
        {
          entity: 'activity_participants',
          file: 'activity_participants.csv',
          line: 3,
          column_name: 'activity_id',
          value: 'T2',
          reason: R.rejectedParent,
        },
        {
          entity: 'activity_participants',
          file: 'activity_participants.csv',
          line: 5,
          column_name: 'participant_id',
          value: 'C3',
          reason: R.rejectedParent,
        },
        {
          entity: 'activity_participants',
          file: 'activity_participants.csv',
          line: 6,
          column_name: 'participant_id',
          value: 'U7',
          reason: R.missingParent,
        },
        {
          entity: 'contacts',
          file: 'contacts.csv',
          line: 3,
          column_name: 'account_id',
          value: 'A2',
          reason: R.rejectedParent,
        },
        {
          entity: 'contacts',
          file: 'contacts.csv',
          line: 4,
          column_name: 'account_id',
          value: 'A9',
          reason: R.missingParent,
        },
        {
          entity: 'opportunities',
          file: 'opportunities.csv',
          line: 3,
          column_name: 'amount',
          value: '-5',
          reason: R.negativeAmount,
        },
        {
          entity: 'opportunities',
          file: 'opportunities.csv',
          line: 4,
          column_name: 'close_date',
          value: '2025-12-01',
          reason: R.closeBeforeCreation,
        },
        {
          entity: 'opportunities',
          file: 'opportunities.csv',
          line: 6,
          column_name: 'account_id',
          value: 'A2',
          reason: R.rejectedParent,
        },
        {
          entity: 'opportunity_history',
          file: 'opportunity_history.csv',
          line: 3,
          column_name: 'opportunity_id',
          value: 'O5',
          reason: R.rejectedParent,
        },
      ]);

      // The good rows loaded, typed; the multi-line name kept its line break.
      const accounts = await queryRows<{ account_id: string; name: string; employees: number }>(
        conn,
        `SELECT account_id, name, employees FROM accounts ORDER BY 1`,
      );
      expect(accounts).toEqual([
        { account_id: 'A1', name: 'Acme\nInc', employees: 100 },
        { account_id: 'A4', name: 'Delta', employees: 100 },
      ]);
      // An unknown stage is no reason to drop an open deal: it is a stage of its own, reported.
      expect(
        (await queryRows<{ id: string }>(conn, `SELECT opportunity_id AS id FROM opportunities ORDER BY 1`)).map(
          (r) => r.id,
        ),
      ).toEqual(['O1', 'O4', 'O6']);
      expect(summary.stages.open).toContain('Maybe');
      expect(summary.stages.unlisted).toEqual([{ stage: 'Maybe', deals: 1 }]);
      expect(
        (await queryRows<{ id: string }>(conn, `SELECT activity_id AS id FROM activity_participants ORDER BY 1`)).map(
          (r) => r.id,
        ),
      ).toEqual(['T1', 'T3']);

      // The summary counts loaded and rejected rows per entity and reason.
      expect(summary.entities['accounts']).toMatchObject({
        loaded: 2,
        rejected: 4,
        reasons: { [R.unparseableNumber]: 1, [R.unparseableDate]: 1, [R.duplicateKey]: 1, [R.missingValue]: 1 },
      });
      expect(summary.entities['opportunities']).toMatchObject({
        loaded: 3,
        rejected: 3,
        reasons: { [R.negativeAmount]: 1, [R.closeBeforeCreation]: 1, [R.rejectedParent]: 1 },
      });
      expect(summary.entities['contacts']).toMatchObject({
        loaded: 1,
        rejected: 2,
        reasons: { [R.rejectedParent]: 1, [R.missingParent]: 1 },
      });
      expect(summary.entities['activity_participants']).toMatchObject({
        loaded: 2,
        rejected: 3,
        reasons: { [R.rejectedParent]: 2, [R.missingParent]: 1 },
      });
      expect(summary.entities['users']).toMatchObject({ loaded: 1, rejected: 0, reasons: {} });
      expect(summary.rejectReasons).toMatchObject({
        'opportunities: reference to a rejected parent': 1,
        'accounts: duplicate key': 1,
      });
      expect(Object.values(summary.rejectReasons).reduce((a, b) => a + b, 0)).toBe(rejects.length);
    });
  });

  it('keeps physical line numbers past quoted line breaks in a large file', async () => {
    // 5,000 deals, every third with a two-line name; one bad amount near the end.
    const rows: string[] = [];
    let line = 1;
    let badLine = 0;
    for (let i = 1; i <= 5000; i++) {
      const multiline = i % 3 === 0;
      const amount = i === 4900 ? 'abc' : '100';
      rows.push(
        `O${i},A1,U1,${multiline ? '"Deal\nfor A1"' : 'Deal'},new,inbound,Platform,USD,2026-01-01,2026-03-01,Prospecting,0.1,pipeline,false,false,${amount}`,
      );
      line += 1;
      if (i === 4900) badLine = line;
      if (multiline) line += 1;
    }
    const source = writeExport(join(tmp.dir, 'large'), {
      accounts: csv(HEADERS.accounts, 'A1,Acme,Tech,EMEA,smb,100,1000,U1,2024-01-01'),
      users: csv(HEADERS.users, 'U1,Ada,AE,account_executive,EMEA Sales,EMEA,,2020-01-01'),
      contacts: csv(HEADERS.contacts, 'C1,A1,Kim,Li,k@x.example,CFO,c_level,Finance,2024-01-01'),
      opportunities: csv(HEADERS.opportunities, ...rows),
    });
    await withDatabase(':memory:', async (conn) => {
      await loadExports(conn, { source, asOf: AS_OF, log: quietLogger });
      const rejects = await queryRows<{ line: number; value: string }>(
        conn,
        `SELECT line::INTEGER AS line, value FROM load_rejects`,
      );
      expect(rejects).toEqual([{ line: badLine, value: 'abc' }]);
      expect(readFileSync(join(source, 'opportunities.csv'), 'utf8').split('\n')[badLine - 1]).toContain(',abc');
    });
  });

  it('fails the load over the reject threshold with a clear message, and leaves the database exactly as it was', async () => {
    const good = writeExport(join(tmp.dir, 'good'), {
      accounts: csv(HEADERS.accounts, 'A1,Acme,Tech,EMEA,smb,100,1000,U1,2024-01-01'),
      users: csv(HEADERS.users, 'U1,Ada,AE,account_executive,EMEA Sales,EMEA,,2020-01-01'),
      contacts: csv(HEADERS.contacts, 'C1,A1,Kim,Li,k@x.example,CFO,c_level,Finance,2024-01-01'),
      opportunities: csv(
        HEADERS.opportunities,
        'O1,A1,U1,One,new,inbound,Platform,USD,2026-01-01,2026-03-01,Prospecting,0.1,pipeline,false,false,100',
      ),
    });
    const broken = brokenExport();
    const db = join(tmp.dir, 'threshold.duckdb');
    await withDatabase(db, (conn) => loadExports(conn, { source: good, asOf: '2026-01-31', log: quietLogger }));
    await withDatabase(db, async (conn) => {
      const before = await databaseContents(conn);
      expect(Object.keys(before)).toEqual(
        expect.arrayContaining([
          'accounts',
          'opportunities',
          'load_rejects',
          'snapshots',
          'snapshot_opportunities',
          'wuwei_meta',
        ]),
      );
      const rejectsFile = join(tmp.dir, 'out', 'load_rejects.csv');
      const failure = await loadExports(conn, {
        source: broken,
        asOf: AS_OF,
        log: quietLogger,
        rejectsFileOnFailure: rejectsFile,
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(WuweiError);
      const message = (failure as Error).message;
      expect(message).toContain(
        'accounts.csv: 4 of 6 accounts rows rejected (66.67%, more than the 5% allowed by --max-reject-rate, the mapping or load.maxRejectShare)',
      );
      expect(message).toContain('line 4, column employees: unparseable number');
      expect(message).toContain('Nothing was loaded');
      expect(message.split('\n')).toHaveLength(1);
      // The rejects are kept outside the database so that the user can fix the export.
      expect(existsSync(rejectsFile)).toBe(true);
      expect(readFileSync(rejectsFile, 'utf8')).toContain('unparseable number');
      expect(await databaseContents(conn)).toEqual(before);

      // The same export passes with a looser threshold; 66.67% is above 60% but not above 70%.
      await expect(
        loadExports(conn, { source: broken, asOf: AS_OF, maxRejectRate: 0.6, log: quietLogger }),
      ).rejects.toThrow(/more than the 60%/);
      expect(await databaseContents(conn)).toEqual(before);
      await loadExports(conn, {
        source: broken,
        asOf: AS_OF,
        maxRejectRate: 0.7,
        log: quietLogger,
        rejectsFileOnFailure: rejectsFile,
      });
      expect(await databaseContents(conn)).not.toEqual(before);
      expect(existsSync(rejectsFile)).toBe(false); // the stale file of the failed load is gone; the rejects are in load_rejects
    });
  });

  it('stops on a file it cannot use, naming file and line, and changes nothing (a malformed row alone is a row reject: test/load/formats.test.ts)', async () => {
    const good = join(tmp.dir, 'good');
    const unreadable = writeExport(join(tmp.dir, 'unreadable'), {
      accounts: csv(
        HEADERS.accounts,
        'A1,Acme,Tech,EMEA,smb,100,1000,U1,2024-01-01',
        'A2,Other,Tech,EMEA,smb,100,1000,U1,2024-01-01',
      ),
      users: csv(HEADERS.users, 'U1,Ada,AE,account_executive,EMEA Sales,EMEA,,2020-01-01'),
      contacts: csv(HEADERS.contacts, 'C1,A1,Kim,Li,k@x.example,CFO,c_level,Finance,2024-01-01'),
      opportunities: csv(
        HEADERS.opportunities,
        'O1,A1,U1,One,new,inbound,Platform,USD,2026-01-01,2026-03-01,Prospecting,0.1,pipeline,false,false,100',
      ),
      // No occurred_at column: the file cannot be used at all, though every earlier file is fine.
      activities: csv(
        HEADERS.activities.replace(',occurred_at', ''),
        ...Array.from({ length: 25_000 }, (_, i) => `T${i},A1,O1,email,inbound,0`),
      ),
    });
    const db = join(tmp.dir, 'unreadable.duckdb');
    await withDatabase(db, (conn) => loadExports(conn, { source: good, asOf: '2026-01-31', log: quietLogger }));
    await withDatabase(db, async (conn) => {
      const before = await databaseContents(conn);
      const failure = await loadExports(conn, { source: unreadable, asOf: AS_OF, log: quietLogger }).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(WuweiError);
      expect((failure as Error).message).toMatch(/activities\.csv, line 1: missing required column 'occurred_at'/);
      expect(await databaseContents(conn)).toEqual(before);
    });
  });

  it('wires --max-reject-rate and --json through the CLI', async () => {
    const source = brokenExport();
    const db = join(tmp.dir, 'cli.duckdb');
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [
        'bin/wuwei.js',
        'load',
        '--db',
        db,
        '--source',
        source,
        '--as-of',
        AS_OF,
        ...args,
      ]).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    const failed = await run([]);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^wuwei: .*accounts\.csv: 4 of 6 accounts rows rejected/),
    ]);
    const passed = await run(['--max-reject-rate', '70%', '--json']);
    expect(passed.code).toBe(0);
    const summary = JSON.parse(passed.stdout);
    expect(summary.maxRejectRate).toBe(0.7);
    expect(summary.entities.opportunities).toMatchObject({ loaded: 3, rejected: 3 });
    expect(summary.rejectReasons['contacts: reference to a missing parent']).toBe(1);
    const bad = await run(['--max-reject-rate', '150%']);
    expect(bad.code).toBe(2);
  });
});
