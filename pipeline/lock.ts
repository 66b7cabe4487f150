/**
 * One run at a time per database: a second `wuwei` command against the same data folder waits for
 * the first or stops with a clear message. The lock is a file created atomically beside the
 * database, holding the owner's pid and host; a lock whose owner process is gone (a killed run) is
 * taken over at once, so a crash never leaves the folder locked.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { WuweiError } from './errors.ts';
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

export async function acquireRunLock(dbPath: string, options: LockOptions): Promise<RunLock> {
  const file = `${dbPath}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + options.waitSeconds * 1000;
  let announced = false;
  for (;;) {
    if (tryCreate(file, options.command)) return { file, release: () => releaseIfOurs(file) };
    const owner = readOwner(file);
    if (owner === null) continue; // released between our two steps
    if (isGone(owner)) {
      if (takeOver(file, owner)) options.log.warn(`took over the lock of ${owner.command} (pid ${owner.pid}, started ${owner.startedAt}), which is no longer running`);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new WuweiError(
        'locked',
        `another wuwei run is using ${dbPath}: ${owner.command} (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}); try again later or pass --wait SECONDS`,
      );
    }
    if (!announced) {
      options.log.info(`waiting for ${owner.command} (pid ${owner.pid}, started ${owner.startedAt}) to finish with ${dbPath}`);
      announced = true;
    }
    await sleep(options.pollMs ?? 500);
  }
}

/** The owner is written in full first, then linked into place: link fails if the lock exists, atomically. */
function tryCreate(file: string, command: string): boolean {
  const owner: LockOwner = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, JSON.stringify(owner));
  try {
    linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Moves a dead owner's lock aside. Two waiters may race here: if what we moved is not the dead
 * owner's lock any more (the other waiter already took over), it is put back.
 */
function takeOver(file: string, dead: LockOwner): boolean {
  const aside = `${file}.stale.${process.pid}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = readOwner(aside);
  if (moved && (moved.pid !== dead.pid || moved.startedAt !== dead.startedAt)) {
    try {
      linkSync(aside, file);
    } catch {
      // a third waiter took the lock meanwhile: two runs may overlap. It takes three processes racing on a dead lock.
    }
    rmSync(aside, { force: true });
    return false;
  }
  rmSync(aside, { force: true });
  return true;
}

/** Only a process on this host can be checked; a lock from another host is trusted. */
function isGone(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function releaseIfOurs(file: string): void {
  const owner = readOwner(file);
  if (owner && owner.pid === process.pid && owner.host === hostname()) rmSync(file, { force: true });
}
