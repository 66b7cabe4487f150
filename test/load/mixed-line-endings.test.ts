/**
 * A CSV file whose lines end in LF, but one in CR LF: a row edited in Excel on Windows, or two files
 * joined. DuckDB's strict sniffer gives up on such a file ("Error when sniffing file"), and the whole
 * night stopped on one line ending, with no line named. The file is now read leniently when the strict
 * sniff fails: every row loads, and the stray CR stays out of the values.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { smallExport } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';
import { load, rows, withMemoryDb } from './helpers.ts';

describe('a CSV file with mixed line endings', () => {
  const tmp = tempDir('wuwei-line-endings-');
  afterAll(() => tmp.cleanup());

  it('loads every row, the CR LF line and a CR LF blank line at the end too', async () => {
    const source = await smallExport(tmp.dir, 200, 5);
    const file = join(source, 'accounts.csv');
    const lines = readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
    const accounts = lines.length - 1;
    const edited = lines[10]!.split(',')[0]!;
    lines[10] = `${lines[10]}\r`;
    writeFileSync(file, `${lines.join('\n')}\n\r\n`);

    await withMemoryDb(async (conn) => {
      await load(conn, { source });
      expect(await rows(conn, 'SELECT * FROM load_rejects')).toEqual([]);
      const [loaded] = await rows<{ n: number; cr: number }>(
        conn,
        `SELECT count(*)::INTEGER AS n,
                count(*) FILTER (WHERE concat_ws('|', account_id, name, industry, region, segment, owner_id) LIKE '%' || chr(13) || '%')::INTEGER AS cr
         FROM accounts`,
      );
      expect(loaded).toEqual({ n: accounts, cr: 0 });
      const [row] = await rows<{ created: string | null }>(
        conn,
        `SELECT strftime(created_date, '%Y-%m-%d') AS created FROM accounts WHERE account_id = '${edited}'`,
      );
      expect(row?.created).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    });
  }, 60_000);
});
