/**
 * When the machine, not the input, is the problem, the real CLI still ends in one line that says
 * what to do, exit 1, never a stack trace: a damaged database file, one held open by another
 * program, an immutable database, read-only output and site folders. A damaged or held database is
 * reported as such, never as "nothing loaded yet".
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../../pipeline/base/db.ts';
import { wuwei } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const tmp = tempDir('wuwei-machine-');
const REPO = join(import.meta.dirname, '..', '..');
const undo: (() => void)[] = [];
afterAll(() => {
  for (const step of undo.splice(0).reverse()) step();
  tmp.cleanup();
});

function expectOneLine(result: { code: number; stderr: string }, line: RegExp): void {
  expect(result.stderr).not.toMatch(/unexpected failure|^\s+at /m);
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(line)]);
}

const isRoot = process.getuid?.() === 0;

describe('a database the pipeline cannot use', () => {
  it('names a damaged file and says to restore it or load into a new one, from every command that reads it', async () => {
    const db = join(tmp.dir, 'damaged', 'wuwei.duckdb');
    mkdirSync(join(tmp.dir, 'damaged'), { recursive: true });
    writeFileSync(db, Buffer.alloc(64 * 1024, 0x5a));
    const before = readFileSync(db);
    for (const command of [['score'], ['features'], ['models', 'list'], ['snapshots', 'list']]) {
      expectOneLine(
        await wuwei([...command, '--db', db]),
        new RegExp(
          `^wuwei: ${db} is not a readable DuckDB database \\(damaged or overwritten\\): restore it from a backup, or load the exports into a new one \\(--db NEW_FILE\\)$`,
        ),
      );
    }
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('names the program holding the database open, not "nothing loaded yet"', async () => {
    const db = join(tmp.dir, 'held', 'wuwei.duckdb');
    mkdirSync(join(tmp.dir, 'held'), { recursive: true });
    const script = `
      import { DuckDBInstance } from '@duckdb/node-api';
      const instance = await DuckDBInstance.create(${JSON.stringify(db)});
      process.stdout.write('open\\n');
      setInterval(() => instance, 1000);`;
    const holder = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    undo.push(() => holder.kill('SIGKILL'));
    await new Promise<void>((done) => holder.stdout!.on('data', () => done()));
    expectOneLine(
      await wuwei(['score', '--db', db]),
      new RegExp(
        `^wuwei: ${db} is open in another program \\(.*node, pid ${holder.pid}\\): close it .* and run again$`,
      ),
    );
  });

  it.runIf(isRoot)(
    'says an immutable database cannot be written',
    async () => {
      const folder = join(tmp.dir, 'immutable');
      const db = join(folder, 'wuwei.duckdb');
      mkdirSync(folder, { recursive: true });
      await withDatabase(db, (conn) => conn.run("CREATE TABLE wuwei_meta AS SELECT DATE '2026-06-30' AS as_of"));
      execFileSync('chattr', ['+i', db]);
      undo.push(() => execFileSync('chattr', ['-i', db]));
      expectOneLine(
        await wuwei(['features', '--db', db]),
        new RegExp(`^wuwei: cannot write ${db}: operation not permitted \\(an immutable file or folder\\?\\)`),
      );
    },
    60_000,
  );
});

describe.runIf(isRoot)('read-only folders', () => {
  const readOnly = join(tmp.dir, 'read-only');

  it('refuses to write an export or a site into a read-only folder in one line', async () => {
    mkdirSync(readOnly, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', readOnly]);
    undo.push(() => execFileSync('umount', ['-l', readOnly]));
    expectOneLine(
      await wuwei(['generate', '--out', join(readOnly, 'export'), '--opportunities', '50']),
      new RegExp(
        `^wuwei: cannot write ${join(readOnly, 'export')}.*: the file system is read-only: give a folder that can be written$`,
      ),
    );
    const db = join(tmp.dir, 'report', 'wuwei.duckdb');
    mkdirSync(join(tmp.dir, 'report'), { recursive: true });
    writeFileSync(db, '');
    expectOneLine(
      await wuwei(['report', '--db', db, '--site', join(readOnly, 'site')]),
      new RegExp(`^wuwei: cannot write ${join(readOnly, 'site')}.*: the file system is read-only`),
    );
  });
});
