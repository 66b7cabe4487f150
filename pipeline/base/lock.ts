/**
 * One run at a time per database: a second `wuwei` command against the same data folder waits for
 * the first or stops with a clear message.
 *
 * The lock is an operating-system file lock, so it goes when its holder goes, however it died
 * (SIGKILL, OOM, power loss) and whatever its pid, PID namespace or host: nothing to read, trust or
 * take over. Node has no flock, but DuckDB takes a POSIX lock on every file it opens read-write
 * ("Could not set lock on file" for a second process), so the lock is a tiny DuckDB file of its own
 * beside the database, held open for the run. Who holds it is written beside it for the waiting
 * message only; that note never decides anything, so a stale, empty or garbage one is harmless.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { WuweiError } from './errors.ts';
import { systemErrorMessage } from './system-errors.ts';
import type { Logger } from './log.ts';

interface LockOwner {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export interface RunLock {
  file: string;
  release(): void;
}

export interface LockOptions {
  /** What the owner is doing, shown to whoever has to wait. */
  command: string;
  /** Seconds to wait for another run to finish; 0 stops at once. */
  waitSeconds: number;
  log: Logger;
  pollMs?: number;
}

// POSIX locks belong to a process, not to a file handle: a second acquire in the same process
// would succeed at the OS level, so this process remembers what it holds.
const heldHere = new Set<string>();

export async function acquireRunLock(dbPath: string, options: LockOptions): Promise<RunLock> {
  const file = `${dbPath}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + options.waitSeconds * 1000;
  let announced = false;
  for (;;) {
    const instance = heldHere.has(file) ? null : await tryLock(file, options.log);
    if (instance) {
      heldHere.add(file);
      writeOwner(file, options.command);
      return { file, release: () => release(file, instance) };
    }
    const holder = describeOwner(readOwner(file));
    if (Date.now() >= deadline) {
      throw new WuweiError(
        'locked',
        `another wuwei run is using ${dbPath}: ${holder}; try again later or pass --wait SECONDS`,
      );
    }
    if (!announced) {
      options.log.info(`waiting for ${holder} to finish with ${dbPath}`);
      announced = true;
    }
    await sleep(options.pollMs ?? 500);
  }
}

/** The lock file opened read-write (so locked) by this process, or null when another process holds it. */
async function tryLock(file: string, log: Logger): Promise<DuckDBInstance | null> {
  try {
    return await DuckDBInstance.create(file, { threads: '1', memory_limit: '32MB' });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/Could not set lock on file/i.test(message)) return null;
    // DuckDB takes the lock before it reads the file: an unreadable one (an empty or truncated file
    // after a power loss, a lock of an older Wuwei) is held by nobody, so it is replaced.
    if (/not a valid DuckDB database file/i.test(message)) {
      log.warn(`replaced an unreadable run lock ${file} (left by a crash or an older Wuwei; nobody held it)`);
      rmSync(file, { force: true });
      return tryLock(file, log);
    }
    const system = systemErrorMessage(error);
    if (system) throw new WuweiError('cannot_write', system, { cause: error });
    throw new WuweiError('locked', `cannot take the run lock ${file}: ${message.replace(/^IO Error: /, '')}`, {
      cause: error,
    });
  }
}

function ownerFile(file: string): string {
  return `${file}.json`;
}

/** The note for the waiting message, written whole (temp file and rename) so a reader never sees half of it. */
function writeOwner(file: string, command: string): void {
  const owner: LockOwner = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  const draft = `${ownerFile(file)}.${process.pid}`;
  try {
    writeFileSync(draft, JSON.stringify(owner));
    renameSync(draft, ownerFile(file));
  } catch {
    rmSync(draft, { force: true }); // only the waiting message loses its details
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(ownerFile(file), 'utf8')) as Partial<LockOwner>;
    if (typeof owner.pid !== 'number' || typeof owner.command !== 'string') return null;
    return {
      pid: owner.pid,
      host: String(owner.host ?? '?'),
      command: owner.command,
      startedAt: String(owner.startedAt ?? '?'),
    };
  } catch {
    return null;
  }
}

function describeOwner(owner: LockOwner | null): string {
  if (!owner) return 'a wuwei run (who is not recorded)';
  return `${owner.command} (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt})`;
}

function release(file: string, instance: DuckDBInstance): void {
  if (!heldHere.has(file)) return;
  heldHere.delete(file);
  const owner = readOwner(file);
  if (owner && owner.pid === process.pid && owner.host === hostname()) rmSync(ownerFile(file), { force: true });
  instance.closeSync(); // the OS lock goes with the file handle
}
