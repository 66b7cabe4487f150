/**
 * CSV written for people holds no live spreadsheet formula: the real nightly run (load, features,
 * train, score, forecast) and the write-back files, on an export whose product lines, teams and one
 * deal id start with `=`, `@` and `+`, and a failed load's `load_rejects.csv`. A cell that starts
 * with = + - @ tab or CR is a number or begins with a single quote; Parquet keeps the raw value.
 * The Salesforce file's text fields fit their declared lengths.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { generate } from '../../pipeline/generate/index.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { EXPORTS } from '../../pipeline/score/writeback.ts';
import { wuweiInProcess as cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Every cell of a CSV file as text (DuckDB parses the quoting). */
async function cells(path: string): Promise<Record<string, string | null>[]> {
  return withDatabase(':memory:', (conn) =>
    queryRows(conn, `SELECT * FROM read_csv('${path}', header = true, all_varchar = true, auto_detect = true)`),
  );
}

/** Cells a spreadsheet would run as a formula. */
function liveFormulas(rows: Record<string, string | null>[]): string[] {
  return rows.flatMap((row) =>
    Object.values(row).filter((v): v is string => v !== null && FORMULA_START.test(v) && !NUMBER.test(v)),
  );
}

describe('no spreadsheet formula in CSV outputs', () => {
  const tmp = tempDir('wuwei-csv-injection-');
  const source = join(tmp.dir, 'export');
  const db = join(tmp.dir, 'data', 'wuwei.duckdb');
  const out = join(tmp.dir, 'data', 'out');
  let hostileId = '';

  beforeAll(async () => {
    await generate({
      out: source,
      opportunities: 300,
      seed: 11,
      asOf: '2026-06-30',
      start: '2024-01-01',
      log: quietLogger,
    });
    const deals = readFileSync(join(source, 'opportunities.csv'), 'utf8');
    const openId = deals
      .split('\n')
      .find((line) => line.includes(',false,false,'))!
      .split(',')[0]!;
    hostileId = `@${openId}`;
    for (const file of readdirSync(source).filter((f) => f.endsWith('.csv'))) {
      const text = readFileSync(join(source, file), 'utf8')
        .replaceAll(new RegExp(`\\b${openId}\\b`, 'g'), hostileId)
        .replaceAll(',Integration,', ',=1+2,');
      writeFileSync(join(source, file), file === 'users.csv' ? text.replace(/,Executive,/g, ',+Executive,') : text);
    }
    const run = await cli(['run', '--source', source, '--db', db, '--no-report']);
    expect(run.code, run.output).toBe(0);
    const writeback = await cli(['writeback', '--format', 'salesforce,dynamics,hubspot,parquet', '--db', db]);
    expect(writeback.code, writeback.output).toBe(0);
  }, 600_000);
  afterAll(() => tmp.cleanup());

  it('forecast.csv, scores.csv and the write-back CSV files neutralise formula cells and keep numbers', async () => {
    const forecast = await cells(join(out, 'forecast.csv'));
    expect(forecast.map((r) => r['segment'])).toContain("'=1+2");
    const scores = await cells(join(out, 'scores.csv'));
    expect(scores.map((r) => r['opportunity_id'])).toContain(`'${hostileId}`);
    const files = ['forecast.csv', 'scores.csv', EXPORTS.salesforce.file, EXPORTS.dynamics.file, EXPORTS.hubspot.file];
    for (const file of files) expect(liveFormulas(await cells(join(out, file))), file).toEqual([]);
    // Parquet keeps the raw value.
    const parquet = await withDatabase(':memory:', (conn) =>
      queryRows<{ id: string }>(
        conn,
        `SELECT opportunity_id AS id FROM read_parquet('${join(out, 'scores.parquet')}')`,
      ),
    );
    expect(parquet.map((r) => r.id)).toContain(hostileId);
  });

  it("the Salesforce file's text fields fit their declared lengths", async () => {
    const rows = await cells(join(out, EXPORTS.salesforce.file));
    expect(rows.length).toBeGreaterThan(10);
    const limited = EXPORTS.salesforce.columns.filter((c) => c.maxLength !== undefined);
    expect(limited.map((c) => c.name)).toContain('Wuwei_Top_Negative_Factors__c');
    for (const column of limited) {
      const over = rows.filter((r) => [...(r[column.name] ?? '')].length > column.maxLength!);
      expect(over, column.name).toEqual([]);
    }
    // Cut factors end at a whole factor, marked.
    const cut = rows
      .flatMap((r) => [r['Wuwei_Top_Positive_Factors__c'], r['Wuwei_Top_Negative_Factors__c']])
      .filter((v) => v?.endsWith('…'));
    for (const value of cut) expect(value).toMatch(/\(.\d+\.\d pts\); …$/);
  });

  it("a failed load's load_rejects.csv neutralises formula values and keeps negative numbers", async () => {
    const path = join(source, 'opportunities.csv');
    const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
    const amount = header!.split(',').indexOf('amount');
    const broken = rows.map((line, i) => {
      const fields = line.split(',');
      if (i % 5 === 0) fields[amount] = '=1+1';
      if (i === 1) fields[amount] = '-500';
      return fields.join(',');
    });
    writeFileSync(path, `${[header, ...broken].join('\n')}\n`);
    const failed = await cli(['load', '--source', source, '--db', join(tmp.dir, 'failing', 'wuwei.duckdb')]);
    expect(failed.code, failed.output).toBe(1);
    const rejects = await cells(join(tmp.dir, 'failing', 'out', 'load_rejects.csv'));
    expect(rejects.map((r) => r['value'])).toContain("'=1+1");
    expect(rejects.find((r) => r['reason'] === 'negative amount')?.['value']).toBe('-500');
    expect(liveFormulas(rejects)).toEqual([]);
  });
});
