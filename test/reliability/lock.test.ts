/**
 * One run at a time per database, and a dead run never leaves the folder locked: the lock is the
 * operating system's, so it goes with its holder whatever its pid, PID namespace or host, and no
 * lock file content (empty, truncated, garbage, another host's, pid 1's) can block a run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WuweiError } from '../../pipeline/base/errors.ts';
import { acquireRunLock } from '../../pipeline/base/lock.ts';
import { quietLogger, type Logger } from '../../pipeline/base/log.ts';
import { wuwei } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function dbInTemp(): string {
  const { dir, cleanup } = tempDir('wuwei-lock-');
  cleanups.push(cleanup);
  return join(dir, 'wuwei.duckdb');
}

const REPO = join(import.meta.dirname, '..', '..');

/** Another process that takes the run lock and holds it until killed; resolves once it holds it. */
async function holderProcess(db: string): Promise<ChildProcess> {
  const script = `
    import { register } from 'tsx/esm/api';
    register();
    const { acquireRunLock } = await import(${JSON.stringify(join(REPO, 'pipeline', 'base', 'lock.ts'))});
    await acquireRunLock(${JSON.stringify(db)}, { command: 'wuwei run', waitSeconds: 0, log: { info() {}, warn() {} } });
    process.stdout.write('held\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  await new Promise<void>((done, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('held') && done());
    child.on('exit', (code) => fail(new Error(`lock holder exited early with ${code}`)));
  });
  return child;
}

describe('run lock', () => {
  it('stops a second run at once with who holds the lock, and lets it in once released', async () => {
    const db = dbInTemp();
    const first = await acquireRunLock(db, { command: 'wuwei run', waitSeconds: 0, log: quietLogger });
    const second = acquireRunLock(db, { command: 'wuwei score', waitSeconds: 0, log: quietLogger });
    await expect(second).rejects.toThrow(WuweiError);
    await expect(second).rejects.toThrow(
      new RegExp(`another wuwei run is using .*wuwei run \\(pid ${process.pid} on `),
    );
    first.release();
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

  it('blocks while another process holds it, and lets the next run in once that process is killed with SIGKILL', async () => {
    const db = dbInTemp();
    const holder = await holderProcess(db);
    const blocked = acquireRunLock(db, { command: 'wuwei score', waitSeconds: 0, log: quietLogger });
    await expect(blocked).rejects.toThrow(
      new RegExp(`another wuwei run is using .*: wuwei run \\(pid ${holder.pid} on `),
    );
    holder.kill('SIGKILL');
    await new Promise((done) => holder.once('exit', done));
    const next = await acquireRunLock(db, { command: 'wuwei run', waitSeconds: 0, log: quietLogger });
    next.release();
  });

  it.each([
    ['empty (power loss)', ''],
    ['truncated', '{"pid": 12'],
    ['garbage', '\u0000\u0001 not a lock at all \u00ff'.repeat(300)],
    [
      'from another host',
      JSON.stringify({ pid: 4242, host: 'pod-of-last-night', command: 'wuwei run', startedAt: '2026-01-01T00:00:00Z' }),
    ],
    [
      'from pid 1 of a container',
      JSON.stringify({ pid: 1, host: 'wuwei-7f9c', command: 'wuwei run', startedAt: '2026-01-01T00:00:00Z' }),
    ],
  ])('does not let a lock file left %s block the next run', async (_what, content) => {
    const db = dbInTemp();
    writeFileSync(`${db}.lock`, content);
    writeFileSync(`${db}.lock.json`, content);
    const warnings: string[] = [];
    const lock = await acquireRunLock(db, {
      command: 'wuwei run',
      waitSeconds: 0,
      log: { info: () => {}, warn: (message) => warnings.push(message) },
    });
    expect(warnings).toEqual([expect.stringContaining('replaced an unreadable run lock')]);
    lock.release();
    // and it is a working lock again
    const again = await acquireRunLock(db, { command: 'wuwei run', waitSeconds: 0, log: quietLogger });
    again.release();
  });

  it('makes the CLI print one clear line and exit 1 while another run holds the database', async () => {
    const db = dbInTemp();
    const holder = await holderProcess(db);
    const { code, stderr } = await wuwei(['score', '--db', db]);
    expect(code).toBe(1);
    const line = new RegExp(
      `^wuwei: another wuwei run is using ${db}: wuwei run \\(pid ${holder.pid} on .+, started .+\\); try again later or pass --wait SECONDS$`,
    );
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(line)]);
  });
});
