import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quoteLiteral } from '../../pipeline/base/db.ts';
import { WuweiError } from '../../pipeline/base/errors.ts';
import { tempDir } from '../helpers/temp.ts';
import { load, rows, withMemoryDb } from './helpers.ts';
import { TINY, writeTinyExcelCsv } from './tiny-export.ts';

const { dir, cleanup } = tempDir('wuwei-formats-');
afterAll(cleanup);

const ENTITIES = Object.keys(TINY);

async function snapshot(conn: Parameters<typeof rows>[0]) {
  return {
    accounts: await rows(
      conn,
      `SELECT account_id, name, employees, strftime(created_date, '%Y-%m-%d') AS created FROM accounts ORDER BY 1`,
    ),
    opportunities: await rows(
      conn,
      `SELECT opportunity_id, name, strftime(created_date, '%Y-%m-%d') AS created, strftime(close_date, '%Y-%m-%d') AS closes, is_closed, is_won, amount FROM opportunities ORDER BY 1`,
    ),
    history: await rows(
      conn,
      `SELECT opportunity_id, strftime(changed_at, '%Y-%m-%d') AS changed, stage, amount FROM opportunity_history ORDER BY 1, 2`,
    ),
  };
}

describe('input formats', () => {
  it('reads a ;-separated, BOM-prefixed, Excel-quoted CSV with the usual date (incl. epoch ms) and number spellings', async () => {
    const source = writeTinyExcelCsv(join(dir, 'excel'));
    await withMemoryDb(async (conn) => {
      const summary = await load(conn, { source });
      expect(summary.rejectReasons).toEqual({});
      const got = await snapshot(conn);
      expect(got.accounts).toEqual([
        { account_id: 'A1', name: 'Big "Co"; Ltd', employees: 1200, created: '2024-02-01' },
        { account_id: 'A2', name: 'Small Co', employees: 40, created: '2024-02-15' },
      ]);
      expect(got.opportunities).toEqual([
        {
          opportunity_id: 'O1',
          name: 'First deal\r\nsecond line',
          created: '2025-03-01',
          closes: '2025-04-01',
          is_closed: true,
          is_won: true,
          amount: 1234.5,
        },
        {
          opportunity_id: 'O2',
          name: 'Second',
          created: '2025-03-05',
          closes: '2025-05-15',
          is_closed: false,
          is_won: false,
          amount: 500,
        },
      ]);
      expect(got.history.map((h) => h['changed'])).toEqual(['2025-03-01', '2025-04-01', '2025-03-05']);
    });
  });

  for (const [format, copyOptions, extension] of [
    ['Parquet', '(FORMAT parquet)', 'parquet'],
    ['NDJSON', '(FORMAT json)', 'ndjson'],
    ['a JSON array', '(FORMAT json, ARRAY true)', 'json'],
  ] as const) {
    it(`reads ${format} exports into the same tables as the CSV`, async () => {
      const csv = writeTinyExcelCsv(join(dir, `from-${extension}`));
      const out = join(dir, extension);
      mkdirSync(out, { recursive: true });
      await withMemoryDb(async (conn) => {
        await load(conn, { source: csv });
        const expected = await snapshot(conn);
        // The exports as a CRM would write them in this format: typed columns (dates, numbers, flags).
        for (const entity of ENTITIES)
          await conn.run(`COPY ${entity} TO ${quoteLiteral(join(out, `${entity}.${extension}`))} ${copyOptions}`);
        for (const entity of ENTITIES) await conn.run(`DROP TABLE ${entity}`);
        await load(conn, { source: out });
        expect(await snapshot(conn)).toEqual(expected);
      });
    });
  }

  it('rejects malformed rows with the line DuckDB reports, and keeps the lines of the rows after them right', async () => {
    const source = writeTinyExcelCsv(join(dir, 'malformed'));
    writeFileSync(
      join(source, 'accounts.csv'),
      ['account_id,name,employees', 'A1,Acme,10', 'A9,Extra,1,2,3', 'A2,Small,5', 'A8', 'A3,Third,not many', ''].join(
        '\n',
      ),
    );
    await withMemoryDb(async (conn) => {
      const summary = await load(conn, { source, maxRejectRate: 0.9 });
      expect(summary.entities['accounts']).toMatchObject({ loaded: 2, rejected: 3 });
      expect(
        await rows(
          conn,
          `SELECT line::INTEGER AS line, column_name, value, reason FROM load_rejects WHERE entity = 'accounts' ORDER BY line`,
        ),
      ).toEqual([
        { line: 3, column_name: null, value: 'A9,Extra,1,2,3', reason: 'malformed row: too many columns' },
        { line: 5, column_name: null, value: 'A8', reason: 'malformed row: missing columns' },
        { line: 6, column_name: 'employees', value: 'not many', reason: expect.any(String) },
      ]);
    });
  });

  it('counts only its own malformed rows when an earlier load on the same connection stopped on them', async () => {
    // Staging runs before the load's transaction, so a stopped load's staged tables are not rolled back.
    const broken = writeTinyExcelCsv(join(dir, 'stopped-first'));
    writeFileSync(
      join(broken, 'accounts.csv'),
      ['account_id,name', 'A1,Acme', 'A9,Extra,1,2', 'A2,Small', ''].join('\n'),
    );
    const clean = writeTinyExcelCsv(join(dir, 'clean-second'));
    await withMemoryDb(async (conn) => {
      await expect(load(conn, { source: broken, maxRejectRate: 0 })).rejects.toThrow(/1 of 3 accounts rows rejected/);
      const summary = await load(conn, { source: clean });
      expect(summary.rejectReasons).toEqual({});
      expect(summary.entities['accounts']).toMatchObject({ loaded: 2, rejected: 0 });
    });
  });

  it('takes explicit files instead of a folder', async () => {
    const source = writeTinyExcelCsv(join(dir, 'explicit'));
    await withMemoryDb(async (conn) => {
      const summary = await load(conn, { source: ENTITIES.map((entity) => join(source, `${entity}.csv`)) });
      expect(summary.entities['opportunities']!.loaded).toBe(2);
      expect(summary.entities['contacts']!.file).toBeNull();
    });
  });

  it('stops with one clear error naming a file that is not what its name says, and changes nothing', async () => {
    const source = writeTinyExcelCsv(join(dir, 'broken'));
    writeFileSync(join(source, 'opportunity_line_items.parquet'), 'this is not parquet');
    await withMemoryDb(async (conn) => {
      await conn.run(`CREATE TABLE opportunities AS SELECT 'kept' AS opportunity_id`);
      const error = await load(conn, { source }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WuweiError);
      expect((error as Error).message).toMatch(/opportunity_line_items\.parquet: cannot read as parquet/);
      expect((error as Error).message.split('\n')).toHaveLength(1);
      expect(await rows(conn, `SELECT opportunity_id FROM opportunities`)).toEqual([{ opportunity_id: 'kept' }]);
    });
  });

  it('stops naming the file, line and column when a required column is missing', async () => {
    const source = writeTinyExcelCsv(join(dir, 'no-stage'));
    const [header, ...body] = TINY.opportunities;
    const without = (row: readonly string[]) => row.filter((_, i) => header[i] !== 'stage');
    writeFileSync(
      join(source, 'opportunities.csv'),
      [without(header), ...body.map(without)].map((r) => r.join(';')).join('\r\n'),
    );
    await withMemoryDb(async (conn) => {
      await expect(load(conn, { source })).rejects.toThrow(
        /opportunities\.csv, line 1: missing required column 'stage'/,
      );
    });
  });

  it('stops when a required export is missing', async () => {
    const source = join(dir, 'empty');
    mkdirSync(source, { recursive: true });
    await withMemoryDb(async (conn) => {
      await expect(load(conn, { source })).rejects.toThrow(/no accounts export/);
    });
  });
});
