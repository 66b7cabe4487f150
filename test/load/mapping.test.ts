import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { WuweiError } from '../../pipeline/base/errors.ts';
import { readMappingFile } from '../../pipeline/load/mapping/definition.ts';
import { tempDir } from '../helpers/temp.ts';
import { load, rows, withMemoryDb } from './helpers.ts';

const { dir, cleanup } = tempDir('wuwei-mapping-');
afterAll(cleanup);

const HOSTILE = 'a"; drop table x; --';

/** An export from some other CRM: its own file and column names, codes for stages, European numbers. */
function otherCrmExport(name: string): string {
  const source = join(dir, name);
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, 'firms.csv'), "Firm No;Firm;Tier\nF1;Acme;Gold\nF2;O'Brien & Sons;\n");
  writeFileSync(join(source, 'reps.csv'), 'Rep;Full name\nR1;Ana\n');
  writeFileSync(
    join(source, `${HOSTILE}.csv`),
    [
      `Deal;Firm No;Rep;Phase;Value;Opened;Closes;"${HOSTILE.replaceAll('"', '""')}";Kind`,
      'D1;F1;R1;90;1.234,50;01.03.2025;30.04.2025;x;',
      'D2;F2;R1;20;500;05.03.2025;;y;Renewal',
      'D3;F2;R1;99;;06.03.2025;07.03.2025;z;',
      'D4;F1;R1;10;;07.03.2025;;w;Test deal',
    ].join('\n'),
  );
  return source;
}

const MAPPING = {
  name: 'other-crm',
  entities: {
    accounts: {
      file: 'firms',
      columns: {
        account_id: 'Firm No',
        name: 'Firm',
        segment: { column: 'Tier', map: { Gold: 'enterprise' }, default: 'smb' },
      },
    },
    users: { file: 'reps.csv', columns: { user_id: 'Rep', name: 'Full name' } },
    // No history in this export: each deal's first state is taken from its creation.
    opportunity_history: {
      file: HOSTILE,
      where: { Kind: ['Renewal', ''] },
      columns: { opportunity_id: 'Deal', changed_at: 'Opened', stage: { value: 'Prospecting' } },
    },
  },
};

function opportunitiesSource(extra: Record<string, unknown> = {}) {
  return {
    file: HOSTILE,
    decimal_separator: ',',
    where: { Kind: ['Renewal', ''] },
    columns: {
      opportunity_id: 'Deal',
      account_id: 'Firm No',
      owner_id: 'Rep',
      name: { column: HOSTILE },
      stage: {
        column: 'Phase',
        map: { '10': 'Prospecting', '20': 'Discovery', '90': 'Closed Won', '99': 'Closed Lost', [HOSTILE]: HOSTILE },
      },
      is_closed: { column: 'Phase', map: { '90': true, '99': true }, default: false },
      is_won: { column: 'Phase', map: { '90': true }, default: false },
      type: { column: 'Kind', map: { Renewal: 'renewal' }, default: 'new' },
      amount: 'Value',
      created_date: 'Opened',
      close_date: { first_of: ['Closes', 'Opened'] },
      currency: { value: 'EUR' },
      ...extra,
    },
  };
}

function writeMapping(name: string, mapping: unknown, format: 'yaml' | 'json' = 'yaml'): string {
  const path = join(dir, `${name}.${format}`);
  writeFileSync(path, format === 'json' ? JSON.stringify(mapping) : stringify(mapping));
  return path;
}

describe('mapping files', () => {
  it('maps another export with value maps, defaults, first_of, filters and European numbers, hostile names included', async () => {
    const source = otherCrmExport('other');
    const mapping = writeMapping('other', {
      ...MAPPING,
      entities: { ...MAPPING.entities, opportunities: opportunitiesSource() },
    });
    await withMemoryDb(async (conn) => {
      await conn.run('CREATE TABLE x (kept INTEGER)');
      const summary = await load(conn, { source, mapping });
      expect(summary.layout).toBe('other-crm');
      expect(await rows(conn, `SELECT account_id, name, segment FROM accounts ORDER BY 1`)).toEqual([
        { account_id: 'F1', name: 'Acme', segment: 'enterprise' },
        { account_id: 'F2', name: "O'Brien & Sons", segment: 'smb' },
      ]);
      expect(
        await rows(
          conn,
          `SELECT opportunity_id, name, stage, is_closed, is_won, type, amount, strftime(created_date, '%Y-%m-%d') AS opened, strftime(close_date, '%Y-%m-%d') AS closes, currency FROM opportunities ORDER BY 1`,
        ),
      ).toEqual([
        {
          opportunity_id: 'D1',
          name: 'x',
          stage: 'Closed Won',
          is_closed: true,
          is_won: true,
          type: 'new',
          amount: 1234.5,
          opened: '2025-03-01',
          closes: '2025-04-30',
          currency: 'EUR',
        },
        {
          opportunity_id: 'D2',
          name: 'y',
          stage: 'Discovery',
          is_closed: false,
          is_won: false,
          type: 'renewal',
          amount: 500,
          opened: '2025-03-05',
          closes: '2025-03-05',
          currency: 'EUR',
        },
        {
          opportunity_id: 'D3',
          name: 'z',
          stage: 'Closed Lost',
          is_closed: true,
          is_won: false,
          type: 'new',
          amount: null,
          opened: '2025-03-06',
          closes: '2025-03-07',
          currency: 'EUR',
        },
      ]);
      // The hostile file and column name reached SQL quoted: the table it names is still there.
      expect(await rows(conn, `SELECT count(*)::INTEGER AS n FROM x`)).toEqual([{ n: 0 }]);
    });
  });

  it('reads the same mapping as JSON', async () => {
    const source = otherCrmExport('other-json');
    const mapping = writeMapping(
      'other',
      { ...MAPPING, entities: { ...MAPPING.entities, opportunities: opportunitiesSource() } },
      'json',
    );
    await withMemoryDb(async (conn) => {
      const summary = await load(conn, { source, mapping });
      expect(summary.entities['opportunities']!.loaded).toBe(3);
    });
  });

  it('rejects an unknown field with its place in the file', () => {
    const path = writeMapping('typo', {
      ...MAPPING,
      entities: { ...MAPPING.entities, opportunities: { ...opportunitiesSource(), colums: {} } },
    });
    expect(() => readMappingFile(path)).toThrow(WuweiError);
    expect(() => readMappingFile(path)).toThrow(`${path}: unknown field 'colums' at entities.opportunities`);
  });

  it('rejects a misspelt rule key and an unknown canonical column', () => {
    const badRule = writeMapping('bad-rule', {
      ...MAPPING,
      entities: { ...MAPPING.entities, opportunities: opportunitiesSource({ amount: { colum: 'Value' } }) },
    });
    expect(() => readMappingFile(badRule)).toThrow(/unknown field 'colum' at entities\.opportunities\.columns\.amount/);
    const badColumn = writeMapping('bad-column', {
      ...MAPPING,
      entities: { ...MAPPING.entities, opportunities: opportunitiesSource({ amount_eur: 'Value' }) },
    });
    expect(() => readMappingFile(badColumn)).toThrow(
      /unknown canonical column 'amount_eur' at entities\.opportunities\[0\]\.columns/,
    );
    const noName = writeMapping('no-name', { entities: MAPPING.entities });
    expect(() => readMappingFile(noName)).toThrow(`${noName}: missing field 'name'`);
    const unknownEntity = writeMapping('bad-entity', { ...MAPPING, entities: { deals: opportunitiesSource() } });
    expect(() => readMappingFile(unknownEntity)).toThrow(/entities/);
  });

  it("numbers each file's records on their own lines when one entity is read from several files, filtered or not", async () => {
    const source = otherCrmExport('several');
    const header = 'Deal;Firm No;Rep;Phase;Value;Opened;Kind';
    const deal = (id: string, value: string, kind = '') => `${id};F1;R1;20;${value};01.03.2025;${kind}`;
    // Plain files are numbered by their rows' positions once written; the filtered one numbers its records first.
    writeFileSync(
      join(source, 'deals-a.csv'),
      [header, deal('A1', '1'), deal('A2', 'lots'), deal('A3', '3')].join('\n'),
    );
    writeFileSync(
      join(source, 'deals-b.csv'),
      [header, deal('B1', '1', 'Test'), deal('B2', 'many', 'Test'), deal('B3', 'few'), deal('B4', '4')].join('\n'),
    );
    writeFileSync(join(source, 'deals-c.csv'), [header, deal('C1', 'some'), deal('C2', '2')].join('\n'));
    const columns = {
      opportunity_id: 'Deal',
      account_id: 'Firm No',
      owner_id: 'Rep',
      stage: { column: 'Phase', map: { '20': 'Discovery' } },
      amount: 'Value',
      created_date: 'Opened',
      close_date: 'Opened',
      is_closed: { value: false },
    };
    const mapping = writeMapping('several', {
      name: 'several-files',
      entities: {
        accounts: MAPPING.entities.accounts,
        users: MAPPING.entities.users,
        opportunities: [
          { file: 'deals-a', columns },
          { file: 'deals-b', where: { Kind: [''] }, columns },
          { file: 'deals-c', columns },
        ],
      },
    });
    await withMemoryDb(async (conn) => {
      await load(conn, { source, mapping, maxRejectRate: 0.9 });
      expect(await rows(conn, `SELECT opportunity_id FROM opportunities ORDER BY 1`)).toEqual(
        ['A1', 'A3', 'B4', 'C2'].map((opportunity_id) => ({ opportunity_id })),
      );
      expect(
        await rows(
          conn,
          `SELECT regexp_extract(file, '[^/]+$') AS file, line::INTEGER AS line, value FROM load_rejects WHERE entity = 'opportunities' ORDER BY 1, 2`,
        ),
      ).toEqual([
        { file: 'deals-a.csv', line: 3, value: 'lots' },
        { file: 'deals-b.csv', line: 4, value: 'few' },
        { file: 'deals-c.csv', line: 2, value: 'some' },
      ]);
    });
  });

  it('says which source column is missing for a required contract column', async () => {
    const source = otherCrmExport('missing');
    const mapping = writeMapping('missing', {
      ...MAPPING,
      entities: { ...MAPPING.entities, opportunities: opportunitiesSource({ stage: 'Stage Name' }) },
    });
    await withMemoryDb(async (conn) => {
      await expect(load(conn, { source, mapping })).rejects.toThrow(
        /drop table x; --\.csv, line 1: missing required column 'Stage Name' \(for opportunities\.stage/,
      );
    });
  });

  it('refuses --layout together with --mapping, and an unknown layout', async () => {
    await withMemoryDb(async (conn) => {
      await expect(load(conn, { source: dir, layout: 'salesforce', mapping: 'x.yaml' })).rejects.toThrow(
        /either --layout or --mapping/,
      );
      await expect(load(conn, { source: dir, layout: 'pipedrive' })).rejects.toThrow(
        /unknown layout 'pipedrive' \(known: canonical, dynamics, hubspot, salesforce/,
      );
    });
  });
});
