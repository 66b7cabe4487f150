/**
 * Azure Synapse Link writes headerless CSV partitions: record k is on line k, not k + 1 as in a CSV
 * with a header. A rejected row names the line it is on.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.ts';
import { load, rows, withMemoryDb } from './helpers.ts';

const { dir, cleanup } = tempDir('wuwei-synapse-lines-');
afterAll(cleanup);

describe('Synapse Link rejects', () => {
  it('name the physical line of a headerless partition, past a malformed row', async () => {
    const source = join(dir, 'export');
    cpSync(join(import.meta.dirname, '..', 'fixtures', 'vendors', 'dynamics-synapse-link'), source, {
      recursive: true,
    });
    const partition = join(source, 'opportunity', '2026-06.csv');
    const lines = readFileSync(partition, 'utf8').trimEnd().split('\n');
    const cells = lines[4]!.split(',');
    cells[8] = 'not a date'; // createdon of the record on line 5
    lines[4] = cells.join(',');
    lines[6] = cells.slice(0, 5).join(','); // line 7: a cut-off row (missing columns)
    cells[8] = 'never'; // line 10: another createdon past the malformed row
    const tenth = lines[9]!.split(',');
    tenth[8] = 'never';
    lines[9] = tenth.join(',');
    writeFileSync(partition, `${lines.join('\n')}\n`);
    await withMemoryDb(async (conn) => {
      await load(conn, { source, layout: 'dynamics', asOf: '2026-06-30', maxRejectRate: 0.5 });
      expect(
        await rows(
          conn,
          `SELECT line::INTEGER AS line, column_name, reason FROM load_rejects WHERE entity = 'opportunities' ORDER BY line`,
        ),
      ).toEqual([
        { line: 5, column_name: 'created_date', reason: 'unparseable date' },
        { line: 7, column_name: null, reason: 'malformed row: missing columns' },
        { line: 10, column_name: 'created_date', reason: 'unparseable date' },
      ]);
    });
  });
});
