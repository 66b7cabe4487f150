/**
 * A full disk and broken run records, on a real full file system (a tiny tmpfs: this test needs
 * root, and is skipped elsewhere):
 * - the run stops with one line naming the first error (the disk is full), not the run record's
 *   ENOSPC, and leaves no 0-byte or half-written record;
 * - the database still opens afterwards, with what it held;
 * - `wuwei runs` lists the runs past a 0-byte or cut-short record and marks it broken.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns } from '../../pipeline/commands/run.ts';
import { wuwei } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const tmp = tempDir('wuwei-full-disk-');
const disk = join(tmp.dir, 'disk');

function tryMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  mkdirSync(disk, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', disk], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const mounted = tryMount();

afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', disk]);
  tmp.cleanup();
});

describe.runIf(mounted)('a full disk', () => {
  const source = join(tmp.dir, 'export');
  const db = join(disk, 'data', 'wuwei.duckdb');

  beforeAll(async () => {
    expect((await wuwei(['generate', '--out', source, '--opportunities', '600', '--seed', '3'])).code).toBe(0);
    const loaded = await wuwei(['load', '--source', source, '--db', db]);
    expect(loaded.code).toBe(0);
    // fill what is left of the disk
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${join(disk, 'filler')}`, 'bs=64k'], { stdio: 'ignore' });
    } catch {
      // dd stops with "No space left on device": that is the point
    }
  });

  it('ends the run in one line with the first error, and leaves no broken record', async () => {
    const run = await wuwei(['run', '--source', source, '--db', db, '--no-report']);
    expect(run.code).toBe(1);
    const last = run.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^wuwei: cannot write .*: the disk is full: free some space and run again$/);
    expect(run.stderr).not.toMatch(/unexpected failure|cannot rollback|^\s+at /m);
    expect(run.stderr).toMatch(/could not write the run record .*no space left on device/i);
    const runs = join(disk, 'data', 'runs');
    const records = readdirSync(runs);
    for (const file of records) expect(statSync(join(runs, file)).size, file).toBeGreaterThan(0);
    expect(records.filter((file) => !file.endsWith('.json'))).toEqual([]);
  });

  it('keeps the database readable with what it held', async () => {
    const listed = await wuwei(['snapshots', 'list', '--db', db, '--json']);
    expect(listed.stderr).not.toMatch(/unexpected failure/);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ asOf: '2026-06-30', opportunities: 600, current: true }),
    ]);
  });
});

describe('wuwei runs past broken records', () => {
  it('lists every run, marking a 0-byte or cut-short record as broken', async () => {
    const runs = join(tmp.dir, 'records', 'runs');
    mkdirSync(runs, { recursive: true });
    const good = {
      startedAt: '2026-11-01T01:00:00.000Z',
      finishedAt: '2026-11-01T01:02:00.000Z',
      outcome: 'succeeded',
      asOf: '2026-10-31',
      rowCounts: { opportunities: 5000 },
      rejects: {},
      stages: {},
    };
    writeFileSync(join(runs, '2026-11-01T01-00-00.000Z.json'), JSON.stringify(good));
    writeFileSync(join(runs, '2026-11-02T01-00-00.000Z.json'), '');
    writeFileSync(join(runs, '2026-11-03T01-00-00.000Z.json'), '{"startedAt": "2026-11-03T01:00:00.000Z", "outc');
    writeFileSync(
      join(runs, '2026-11-04T01-00-00.000Z.json'),
      JSON.stringify({ ...good, startedAt: '2026-11-04T01:00:00.000Z', finishedAt: '2026-11-04T01:01:00.000Z' }),
    );
    expect(listRuns(runs).map((run) => [run.startedAt, run.outcome])).toEqual([
      ['2026-11-04T01:00:00.000Z', 'succeeded'],
      ['2026-11-03T01:00:00.000Z', 'broken'],
      ['2026-11-02T01:00:00.000Z', 'broken'],
      ['2026-11-01T01:00:00.000Z', 'succeeded'],
    ]);
    const result = await wuwei(['runs', '--db', join(tmp.dir, 'records', 'wuwei.duckdb')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/2026-11-02 01:00:00 +broken .*unreadable run record \(0 bytes\)/);
    expect(result.stdout.split('\n').filter((line) => /^2026-11-0\d/.test(line))).toHaveLength(4);
  });
});
