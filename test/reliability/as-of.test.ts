/**
 * A mistyped as-of date cannot block later nights, and a wrong snapshot can be undone:
 * - `--as-of` and as_of.txt after tomorrow, before the export's oldest deal, or not a calendar date
 *   (2026-02-31) end in one line and exit 1, with nothing loaded;
 * - `wuwei snapshots list` shows the nights kept; `wuwei snapshots drop DATE` removes one night from
 *   every nightly table in one go, after which the real export loads again.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { resolveAsOf } from '../../pipeline/load/as-of.ts';
import { errorOf } from '../helpers/error-of.ts';
import { wuweiInProcess as cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const tmp = tempDir('wuwei-as-of-');
const source = join(tmp.dir, 'export');
const CUT = '2026-06-30'; // the generated export's as_of.txt
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const dayAfter = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  expect((await cli(['generate', '--out', source, '--opportunities', '400', '--seed', '5', '--as-of', CUT])).code).toBe(
    0,
  );
});
afterAll(() => tmp.cleanup());

async function snapshotCount(db: string, table: string, asOf: string): Promise<number> {
  return withDatabase(
    db,
    async (conn) =>
      (
        await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM ${table} WHERE as_of = DATE '${asOf}'`)
      )[0]!.n,
  );
}

describe('as-of guard', () => {
  it('takes today and tomorrow, refuses after tomorrow and dates that are not in the calendar', () => {
    const now = new Date('2026-12-01T23:30:00Z');
    expect(resolveAsOf(source, '2026-12-02', now)).toEqual({ asOf: '2026-12-02', from: 'option' });
    expect(errorOf(() => resolveAsOf(source, '2026-12-03', now)).message).toBe(
      '--as-of: 2026-12-03 is in the future (after 2026-12-02): an export cannot be cut after tonight; check the date',
    );
    expect(errorOf(() => resolveAsOf(source, '2999-12-31', now)).message).toMatch(
      /^--as-of: 2999-12-31 is in the future/,
    );
    for (const bad of ['2026-02-31', '2026-13-01', '2025-02-29', '26-01-01']) {
      expect(errorOf(() => resolveAsOf(source, bad, now)).message).toBe(`--as-of: not a date YYYY-MM-DD: '${bad}'`);
    }
    expect(resolveAsOf(source, '2024-02-29', now).asOf).toBe('2024-02-29');
  });

  it.each([
    [
      'a future --as-of',
      ['--as-of', '2999-12-31'],
      /^wuwei: --as-of: 2999-12-31 is in the future \(after \d{4}-\d{2}-\d{2}\)/,
    ],
    ['an impossible --as-of', ['--as-of', '2026-02-31'], /^wuwei: --as-of: not a date YYYY-MM-DD: '2026-02-31'$/],
    [
      'an --as-of before every deal',
      ['--as-of', '1990-01-01'],
      /^wuwei: .*: the as-of date 1990-01-01 is before the export's oldest deal \(created 20\d\d-\d\d-\d\d\)/,
    ],
  ])('refuses %s in one line, exit 1, and loads nothing', async (_what, args, message) => {
    const db = join(tmp.dir, `refused-${args[1]}`, 'wuwei.duckdb');
    const result = await cli(['load', '--source', source, '--db', db, ...args]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
    const listed = await cli(['snapshots', 'list', '--db', db, '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('refuses a future date in as_of.txt the same way', async () => {
    const wrong = join(tmp.dir, 'wrong-export');
    expect(
      (await cli(['generate', '--out', wrong, '--opportunities', '100', '--seed', '5', '--as-of', CUT])).code,
    ).toBe(0);
    writeFileSync(join(wrong, 'as_of.txt'), `${dayAfter}\n`);
    const result = await cli(['load', '--source', wrong, '--db', join(tmp.dir, 'txt', 'wuwei.duckdb')]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `wuwei: ${join(wrong, 'as_of.txt')}: ${dayAfter} is in the future (after ${tomorrow}): an export cannot be cut after tonight; check the date`,
    );
  });
});

describe('wuwei snapshots', () => {
  it('drops a wrong night from every nightly table, after which the real export loads again', async () => {
    const db = join(tmp.dir, 'snapshots', 'wuwei.duckdb');
    expect((await cli(['load', '--source', source, '--db', db])).code).toBe(0);
    // a wrong date that still passes the guard (tomorrow), with the night's features built on it
    expect((await cli(['load', '--source', source, '--db', db, '--as-of', tomorrow])).code).toBe(0);
    expect((await cli(['features', '--db', db, '--scoring-only'])).code).toBe(0);
    expect(await snapshotCount(db, 'features_score', tomorrow)).toBeGreaterThan(0);
    const blocked = await cli(['load', '--source', source, '--db', db]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(new RegExp(`older than the last snapshot \\(${tomorrow}\\)`));

    const listed = await cli(['snapshots', 'list', '--db', db]);
    expect(listed.code).toBe(0);
    expect(
      listed.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.slice(0, 12)),
    ).toEqual([`* ${tomorrow}`, `  ${CUT}`]);

    const missing = await cli(['snapshots', 'drop', '2026-01-01', '--db', db]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(
      `wuwei: no snapshot as of 2026-01-01 (kept: ${tomorrow}, ${CUT}); see \`wuwei snapshots list\``,
    );
    expect((await cli(['snapshots', 'drop', '2026-02-31', '--db', db])).stderr.trim()).toBe(
      "wuwei: snapshots drop: not a date YYYY-MM-DD: '2026-02-31'",
    );

    const dropped = await cli(['snapshots', 'drop', tomorrow, '--db', db, '--json']);
    expect(dropped.code).toBe(0);
    expect(dropped.stderr).toMatch(/it was the loaded export: load an export again/);
    const summary = JSON.parse(dropped.stdout) as { rows: Record<string, number>; wasCurrent: boolean };
    expect(summary.wasCurrent).toBe(true);
    expect(summary.rows['snapshots']).toBe(1);
    expect(summary.rows['snapshot_opportunities']).toBe(400);
    expect(summary.rows['features_score']).toBeGreaterThan(0);
    for (const table of ['snapshots', 'snapshot_opportunities', 'features_score', 'load_rejects'])
      expect(await snapshotCount(db, table, tomorrow)).toBe(0);
    expect(await snapshotCount(db, 'snapshot_opportunities', CUT)).toBe(400);
    // nothing counts as loaded until the next load, which the wrong night no longer blocks
    expect((await cli(['features', '--db', db, '--scoring-only'])).stderr.trim()).toBe(
      'wuwei: nothing loaded yet: run `wuwei load --source DIR` first',
    );
    const reloaded = await cli(['load', '--source', source, '--db', db, '--json']);
    expect(reloaded.code).toBe(0);
    expect(JSON.parse(reloaded.stdout)).toMatchObject({ asOf: CUT, snapshot: { replaced: true, snapshots: 1 } });
  });
});
