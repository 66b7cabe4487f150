/** One run at a time per database, and a killed run never leaves the folder locked. */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WuweiError } from '../../pipeline/errors.ts';
import { acquireRunLock } from '../../pipeline/lock.ts';
import { quietLogger, type Logger } from '../../pipeline/log.ts';
import { wuwei } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function dbInTemp(): string {
  const { dir, cleanup } = tempDir('wuwei-lock-');
  cleanups.push(cleanup);
  return join(dir, 'wuwei.duckdb');
}

describe('run lock', () => {
  it('stops a second run at once with who holds the lock, and lets it in once released', async () => {
    const db = dbInTemp();
    const first = await acquireRunLock(db, { command: 'wuwei run', waitSeconds: 0, log: quietLogger });
    const second = acquireRunLock(db, { command: 'wuwei score', waitSeconds: 0, log: quietLogger });
    await expect(second).rejects.toThrow(WuweiError);
    await expect(second).rejects.toThrow(new RegExp(`another wuwei run is using .*wuwei run \\(pid ${process.pid} on `));
    first.release();
    expect(existsSync(first.file)).toBe(false);
    const third = await acquireRunLock(db, { command: 'wuwei score', waitSeconds: 0, log: quietLogger });
    third.release();
  });

  it('waits for the running one when asked to', async () => {
    const db = dbInTemp();
    const first = await acquireRunLock(db, { command: 'wuwei run', waitSeconds: 0, log: quietLogger });
    setTimeout(() => first.release(), 300);
    const messages: string[] = [];
    const log: Logger = { info: (message) => messages.push(message), warn: (message) => messages.push(message) };
    const second = await acquireRunLock(db, { command: 'wuwei score', waitSeconds: 10, log, pollMs: 50 });
    expect(messages.some((message) => message.startsWith('waiting for wuwei run'))).toBe(true);
    second.release();
  });

  it('takes over the lock of a run that was killed', async () => {
    const db = dbInTemp();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // a pid that has exited
    writeFileSync(`${db}.lock`, JSON.stringify({ pid: dead, host: hostname(), command: 'wuwei run', startedAt: '2026-01-01T00:00:00Z' }));
    const warnings: string[] = [];
    const lock = await acquireRunLock(db, { command: 'wuwei run', waitSeconds: 0, log: { info: () => {}, warn: (message) => warnings.push(message) } });
    expect(warnings).toEqual([expect.stringContaining(`pid ${dead}`)]);
    lock.release();
  });

  it('makes the CLI print one clear line and exit 1 while another run holds the database', async () => {
    const db = dbInTemp();
    const held = await acquireRunLock(db, { command: 'wuwei run', waitSeconds: 0, log: quietLogger });
    const { code, stderr } = await wuwei(['score', '--db', db]);
    held.release();
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^wuwei: another wuwei run is using .*wuwei\.duckdb: wuwei run \(pid \d+/)]);
  });
});
