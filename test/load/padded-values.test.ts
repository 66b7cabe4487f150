/**
 * Staging trims every value and reads an empty one as NULL. It trims only text that could change
 * (sourceText's guard), so the guard is checked against plain trim on every kind of padding DuckDB's
 * trim removes, and a padded export is loaded end to end.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { quoteLiteral } from '../../pipeline/base/db.ts';
import { plainSourceText, sourceText } from '../../pipeline/load/mapping/column-sql.ts';
import { tempDir } from '../helpers/temp.ts';
import { csv, writeExport } from './export-fixture.ts';
import { load, rows, withMemoryDb } from './helpers.ts';

const { dir, cleanup } = tempDir('wuwei-padded-');
afterAll(cleanup);

// Every Unicode space separator (trim removes these), and characters it keeps: a tab, a line break, a letter.
const PADDING = [
  '',
  ' ',
  '  ',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2003',
  '\u200a',
  '\u202f',
  '\u205f',
  '\u3000',
  '\t',
  '\n',
  'é',
];
const CORES = ['', 'a', 'a b', 'é', 'Ünïcødé', '2024-01-15', ' x '];

describe('padded values', () => {
  it('are staged as plain trim would stage them, empty as NULL', async () => {
    const values = PADDING.flatMap((before) => PADDING.flatMap((after) => CORES.map((core) => before + core + after)));
    await withMemoryDb(async (conn) => {
      const list = values.map(quoteLiteral).join('), (');
      const differing = await rows(
        conn,
        `SELECT v FROM (SELECT v, ${sourceText('v')} AS guarded, ${plainSourceText('v')} AS plain FROM (VALUES (${list}), (NULL)) AS t(v))
         WHERE guarded IS DISTINCT FROM plain`,
      );
      expect(values.length).toBe(PADDING.length ** 2 * CORES.length);
      expect(differing).toEqual([]);
    });
  });

  it('load with their padding gone: ids still join, a blank is missing, a tab stays', async () => {
    const source = writeExport(join(dir, 'export'), {
      accounts: csv('account_id,name,segment', ' A1\u00a0,\u3000Big Co ,enterprise', 'A2,"\tTabbed", '),
      users: csv('user_id,name', 'U1 ,Ana'),
      opportunities: csv(
        'opportunity_id,account_id,owner_id,created_date,close_date,stage,is_closed,is_won,amount',
        'O1,\u2003A1, U1, 2025-03-01 ,2025-04-01, Closed Won,true,true, 100 ',
        'O2,A2 ,U1,2025-03-05,2025-05-15,Discovery\u00a0,false,false,"  "',
      ),
    });
    await withMemoryDb(async (conn) => {
      const summary = await load(conn, { source, asOf: '2025-06-01' });
      expect(summary.rejectReasons).toEqual({});
      expect(await rows(conn, `SELECT account_id, name, segment FROM accounts ORDER BY account_id`)).toEqual([
        { account_id: 'A1', name: 'Big Co', segment: 'enterprise' },
        { account_id: 'A2', name: '\tTabbed', segment: null },
      ]);
      expect(
        await rows(
          conn,
          `SELECT opportunity_id, account_id, owner_id, strftime(created_date, '%Y-%m-%d') AS created, stage, amount
           FROM opportunities ORDER BY opportunity_id`,
        ),
      ).toEqual([
        {
          opportunity_id: 'O1',
          account_id: 'A1',
          owner_id: 'U1',
          created: '2025-03-01',
          stage: 'Closed Won',
          amount: 100,
        },
        {
          opportunity_id: 'O2',
          account_id: 'A2',
          owner_id: 'U1',
          created: '2025-03-05',
          stage: 'Discovery',
          amount: null,
        },
      ]);
    });
  });
});
