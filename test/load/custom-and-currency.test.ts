import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.ts';
import { withDatabase } from '../../pipeline/base/db.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { generate } from '../../pipeline/generate/index.ts';
import { loadExports } from '../../pipeline/load/index.ts';
import { load, rows, withMemoryDb } from './helpers.ts';
import { writeTinyExcelCsv } from './tiny-export.ts';

const { dir, cleanup } = tempDir('wuwei-custom-');
afterAll(cleanup);

function csv(lines: string[][]): string {
  return lines.map((l) => l.join(',')).join('\n') + '\n';
}

/** The tiny export with extra columns the contract does not know, and deals in four currencies. */
function exportWithExtras(name: string, rates?: string): string {
  const source = writeTinyExcelCsv(join(dir, name));
  writeFileSync(
    join(source, 'accounts.csv'),
    csv([
      ['account_id', 'name', 'Tier Rank', 'Key Account'],
      ['A1', 'Acme', '1', 'true'],
      ['A2', 'Small', '3', 'false'],
    ]),
  );
  writeFileSync(
    join(source, 'opportunities.csv'),
    csv([
      [
        'opportunity_id',
        'account_id',
        'owner_id',
        'created_date',
        'stage',
        'amount',
        'currency',
        'Deal Score',
        'Strategic',
        'Region Code',
        'a"; drop table x; --',
      ],
      ['O1', 'A1', 'U1', '2025-03-01', 'Discovery', '1000', 'EUR', '7.5', 'true', 'N1', '1'],
      ['O2', 'A2', 'U2', '2025-03-05', 'Discovery', '500', 'USD', '2', 'false', 'S2', '2'],
      ['O3', 'A2', 'U2', '2025-06-05', 'Discovery', '100', 'eur', '', '', '', ''],
      ['O4', 'A1', 'U1', '2025-03-05', 'Discovery', '300', 'USD', '1', 'true', 'S1', '3'],
      ['O5', 'A1', 'U1', '2025-03-05', 'Discovery', '999', 'JPY', '1', 'true', 'S1', '4'],
      ['O6', 'A1', 'U1', '2025-03-05', 'Discovery', '5', 'USD', '1', 'true', 'S1', '5'],
    ]),
  );
  writeFileSync(
    join(source, 'opportunity_history.csv'),
    csv([
      ['opportunity_id', 'changed_at', 'stage', 'amount'],
      ['O1', '2025-03-01', 'Discovery', '1000'],
      ['O3', '2025-06-05', 'Discovery', '100'],
      ['O2', '2025-03-05', 'Discovery', '500'],
    ]),
  );
  if (rates) writeFileSync(join(source, 'currency_rates.csv'), rates);
  return source;
}

describe('custom attributes', () => {
  it('keeps columns outside the contract, typed, and offers the numeric ones to the models', async () => {
    const source = exportWithExtras('custom', 'currency,rate_to_reporting\nEUR,1.1\nJPY,0.0065\n');
    await withMemoryDb(async (conn) => {
      await conn.run('CREATE TABLE x (kept INTEGER)');
      const summary = await load(conn, { source });
      expect(summary.customAttributes).toEqual({
        opportunities: ['Deal Score', 'Strategic', 'Region Code', 'a"; drop table x; --'],
        accounts: ['Tier Rank', 'Key Account'],
      });
      expect(
        await rows(
          conn,
          `SELECT name, feature_name, type, is_numeric FROM custom_attribute_columns WHERE entity = 'opportunities' ORDER BY name`,
        ),
      ).toEqual([
        { name: 'Deal Score', feature_name: 'custom_deal_score', type: 'DOUBLE', is_numeric: true },
        { name: 'Region Code', feature_name: 'custom_region_code', type: 'VARCHAR', is_numeric: false },
        { name: 'Strategic', feature_name: 'custom_strategic', type: 'BOOLEAN', is_numeric: true },
        { name: 'a"; drop table x; --', feature_name: 'custom_a_drop_table_x', type: 'BIGINT', is_numeric: true },
      ]);
      expect(
        await rows(
          conn,
          `SELECT opportunity_id, "Deal Score", "Strategic", "Region Code" FROM opportunity_custom_attributes ORDER BY 1 LIMIT 2`,
        ),
      ).toEqual([
        { opportunity_id: 'O1', 'Deal Score': 7.5, Strategic: true, 'Region Code': 'N1' },
        { opportunity_id: 'O2', 'Deal Score': 2, Strategic: false, 'Region Code': 'S2' },
      ]);
      const features = await rows(conn, `SELECT * FROM opportunity_custom_features ORDER BY opportunity_id LIMIT 1`);
      expect(features).toEqual([
        {
          opportunity_id: 'O1',
          custom_deal_score: 7.5,
          custom_strategic: 1,
          custom_a_drop_table_x: 1,
          custom_account_tier_rank: 1,
          custom_account_key_account: 1,
        },
      ]);
      // Nothing lost: the long table holds every non-empty value as the file wrote it.
      expect(
        await rows(conn, `SELECT count(*)::INTEGER AS n FROM custom_attributes WHERE entity = 'opportunities'`),
      ).toEqual([{ n: 20 }]);
      expect(await rows(conn, `SELECT count(*)::INTEGER AS n FROM x`)).toEqual([{ n: 0 }]);
    });
  });

  it('writes the values once, as text, and reads them typed and long through views (also over an older database)', async () => {
    const source = exportWithExtras('custom-views', 'currency,rate_to_reporting\nEUR,1.1\nJPY,0.0065\n');
    await withMemoryDb(async (conn) => {
      // A database loaded before the typed and long forms were views holds tables of those names.
      for (const table of ['custom_attributes', 'opportunity_custom_attributes', 'account_custom_attributes'])
        await conn.run(`CREATE TABLE ${table} (stale INTEGER)`);
      await load(conn, { source });
      expect(
        await rows(
          conn,
          `SELECT table_name AS name, 'table' AS kind FROM duckdb_tables() WHERE table_name LIKE '%custom%'
           UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE view_name LIKE '%custom%' ORDER BY 1`,
        ),
      ).toEqual([
        { name: 'account_custom_attributes', kind: 'view' },
        { name: 'account_custom_text', kind: 'table' },
        { name: 'custom_attribute_columns', kind: 'table' },
        { name: 'custom_attribute_known_at', kind: 'table' },
        { name: 'custom_attributes', kind: 'view' },
        { name: 'opportunity_custom_attributes', kind: 'view' },
        { name: 'opportunity_custom_features', kind: 'view' },
        { name: 'opportunity_custom_text', kind: 'table' },
      ]);
      // The text as the file wrote it, its type beside it in the long view, and typed in the wide one.
      expect(
        await rows(
          conn,
          `SELECT t."Deal Score" AS text, l.type, l.value, typeof(a."Deal Score") AS typed_as, a."Deal Score" AS typed
           FROM opportunity_custom_text t JOIN opportunity_custom_attributes a USING (opportunity_id)
           JOIN custom_attributes l ON l.entity = 'opportunities' AND l.record_id = t.opportunity_id AND l.name = 'Deal Score'
           WHERE t.opportunity_id = 'O1'`,
        ),
      ).toEqual([{ text: '7.5', type: 'DOUBLE', value: '7.5', typed_as: 'DOUBLE', typed: 7.5 }]);
      expect(
        await rows(
          conn,
          `SELECT record_id, name, value FROM custom_attributes WHERE entity = 'accounts' ORDER BY 1, 2`,
        ),
      ).toEqual([
        { record_id: 'A1', name: 'Key Account', value: 'true' },
        { record_id: 'A1', name: 'Tier Rank', value: '1' },
        { record_id: 'A2', name: 'Key Account', value: 'false' },
        { record_id: 'A2', name: 'Tier Rank', value: '3' },
      ]);
    });
  });

  it('keeps custom attributes only for rows that loaded', async () => {
    const source = exportWithExtras('custom-rejects');
    await withMemoryDb(async (conn) => {
      await load(conn, { source, maxRejectRate: 0.9 });
      // Without a rates file the EUR and JPY deals are rejected; their attributes are not kept either.
      expect(await rows(conn, `SELECT opportunity_id FROM opportunity_custom_attributes ORDER BY 1`)).toEqual([
        { opportunity_id: 'O2' },
        { opportunity_id: 'O4' },
        { opportunity_id: 'O6' },
      ]);
    });
  });
});

describe('a wide export', () => {
  it('loads 2,000 deals with 5,000 custom columns within the default memory limit, the wide file read by one thread', async () => {
    const source = join(dir, 'wide');
    await generate({
      out: source,
      opportunities: 2000,
      seed: 7,
      asOf: '2026-06-30',
      start: '2024-01-01',
      log: quietLogger,
    });
    for (const file of readdirSync(source))
      if (!['accounts.csv', 'users.csv', 'contacts.csv', 'opportunities.csv'].includes(file))
        rmSync(join(source, file));
    const [header, ...deals] = readFileSync(join(source, 'opportunities.csv'), 'utf8').trimEnd().split('\n');
    const names = Array.from({ length: 5000 }, (_, i) => `custom_field_${i}`);
    const values = (r: number) =>
      names.map((_, i) => (i % 3 === 2 ? `v${(r * 7 + i) % 13}` : String((r * 31 + i * 17) % 1000)));
    writeFileSync(
      join(source, 'opportunities.csv'),
      `${[`${header},${names.join(',')}`, ...deals.map((line, r) => `${line},${values(r).join(',')}`)].join('\n')}\n`,
    );
    // A 50 MB file, which DuckDB reads in parallel: two threads each writing rows of 5,000 columns
    // (a block per column each) took the whole 4 GB; one thread writes it in a fraction.
    await withDatabase(join(dir, 'wide.duckdb'), async (conn) => {
      await conn.run(`SET threads = 2; SET memory_limit = '4GB'`);
      const summary = await load(conn, { source });
      expect(summary.entities['opportunities']!.loaded).toBe(deals.length);
      expect(
        await rows(conn, `SELECT count(*)::INTEGER AS n FROM custom_attribute_columns WHERE entity = 'opportunities'`),
      ).toEqual([{ n: 5000 }]);
      expect(await rows(conn, `SELECT current_setting('threads')::INTEGER AS threads`)).toEqual([{ threads: 2 }]);
    });
  });
});

describe('currency', () => {
  it('converts amounts to the most common currency with dated rates, and rejects deals without a rate', async () => {
    const source = exportWithExtras('rates', 'currency,rate_to_reporting,valid_from\nEUR,1.1,\nEUR,1.2,2025-06-01\n');
    await withMemoryDb(async (conn) => {
      const summary = await load(conn, { source, maxRejectRate: 0.5 });
      expect(summary.currency).toMatchObject({
        reportingCurrency: 'USD',
        currencies: { USD: 3, EUR: 2, JPY: 1 },
        converted: 2,
      });
      expect(await rows(conn, `SELECT opportunity_id, amount, currency FROM opportunities ORDER BY 1`)).toEqual([
        { opportunity_id: 'O1', amount: 1100, currency: 'EUR' },
        { opportunity_id: 'O2', amount: 500, currency: 'USD' },
        { opportunity_id: 'O3', amount: 120, currency: 'EUR' },
        { opportunity_id: 'O4', amount: 300, currency: 'USD' },
        { opportunity_id: 'O6', amount: 5, currency: 'USD' },
      ]);
      expect(await rows(conn, `SELECT opportunity_id, amount FROM opportunity_history ORDER BY 1`)).toEqual([
        { opportunity_id: 'O1', amount: 1100 },
        { opportunity_id: 'O2', amount: 500 },
        { opportunity_id: 'O3', amount: 120 },
      ]);
      expect(
        await rows(
          conn,
          `SELECT line::INTEGER AS line, column_name, value, reason FROM load_rejects WHERE entity = 'opportunities'`,
        ),
      ).toEqual([{ line: 6, column_name: 'currency', value: 'JPY', reason: 'no exchange rate to USD' }]);
      expect(summary.rejectReasons).toEqual({ 'opportunities: no exchange rate to USD': 1 });
      expect(summary.entities['opportunities']).toMatchObject({ loaded: 5, rejected: 1 });
    });
  });

  it('uses the reporting currency asked for', async () => {
    const source = exportWithExtras('eur', 'currency,rate_to_reporting\nUSD,0.5\nJPY,0.005\n');
    await withMemoryDb(async (conn) => {
      const summary = await load(conn, { source, reportingCurrency: 'EUR' });
      expect(summary.currency?.reportingCurrency).toBe('EUR');
      expect(
        await rows(
          conn,
          `SELECT opportunity_id, amount FROM opportunities WHERE opportunity_id IN ('O1', 'O2', 'O5') ORDER BY 1`,
        ),
      ).toEqual([
        { opportunity_id: 'O1', amount: 1000 },
        { opportunity_id: 'O2', amount: 250 },
        { opportunity_id: 'O5', amount: 4.995 },
      ]);
    });
  });

  it('says when deals without a currency are taken in the reporting currency among several', async () => {
    const source = exportWithExtras('blank-currency', 'currency,rate_to_reporting\nEUR,1.1\nJPY,0.0065\n');
    const file = join(source, 'opportunities.csv');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('O5,A1,U1,2025-03-05,Discovery,999,JPY', 'O5,A1,U1,2025-03-05,Discovery,999,'),
    );
    const warnings: string[] = [];
    await withMemoryDb(async (conn) => {
      await loadExports(conn, { source, log: { info: () => {}, warn: (message) => warnings.push(message) } });
      expect(await rows(conn, `SELECT amount, currency FROM opportunities WHERE opportunity_id = 'O5'`)).toEqual([
        { amount: 999, currency: null },
      ]);
    });
    expect(warnings).toContain(
      '1 deal has no currency in an export of several (USD, EUR): its amount is taken as USD, the reporting currency',
    );
  });

  it('stops on a rates file without the rate column', async () => {
    const source = exportWithExtras('bad-rates', 'currency,rate\nEUR,1.1\n');
    await withMemoryDb(async (conn) => {
      await expect(load(conn, { source })).rejects.toThrow(
        /currency_rates\.csv, line 1: missing required column 'rate_to_reporting'/,
      );
    });
  });
});
