/**
 * One as-of date for the whole site (issue #16): after a load without a score the pages said two
 * dates, one from `wuwei_meta` and one from the latest scores. Every page now takes runDate(), which
 * prefers the scored night and falls back to the load only before anything was scored.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDate } from '../../reports/src/data/runDate.ts';
import { withMemoryDb } from '../load/helpers.ts';

const DATA = join(import.meta.dirname, '..', '..', 'reports', 'src', 'data');

describe('the site’s one as-of date', () => {
  it('is the scored night when scores exist, even after a newer load', async () => {
    const asOf = await withMemoryDb(async (conn) => {
      await conn.run(`CREATE TABLE wuwei_meta AS SELECT DATE '2026-07-08' AS as_of`);
      await conn.run(
        `CREATE TABLE scores AS SELECT * FROM (VALUES (DATE '2026-06-30'), (DATE '2026-07-01')) AS t(as_of)`,
      );
      return runDate(conn);
    });
    expect(asOf).toBe('2026-07-01');
  });

  it('is the load’s as-of date before anything was scored', async () => {
    const asOf = await withMemoryDb(async (conn) => {
      await conn.run(`CREATE TABLE wuwei_meta AS SELECT DATE '2026-07-08' AS as_of`);
      return runDate(conn);
    });
    expect(asOf).toBe('2026-07-08');
  });

  it('is the only as-of any page data script reads', () => {
    const scripts = readdirSync(DATA).filter((file) => file.endsWith('.ts') && file !== 'runDate.ts');
    for (const file of scripts) {
      const source = readFileSync(join(DATA, file), 'utf8');
      expect(source, file).not.toMatch(/as_of\)?[^\n]*FROM wuwei_meta/);
    }
  });
});
