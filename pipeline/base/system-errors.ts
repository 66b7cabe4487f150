/**
 * Errors of the machine rather than of the input: a full disk, a read-only or immutable folder, a
 * database file that is damaged or held by another program. Node and DuckDB report them in their own
 * words; these turn them into one line that says what to do, so none ends in a stack trace.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { WuweiError } from './errors.ts';

/** Why a file could not be written or opened, by errno code or by the words DuckDB uses. */
const CAUSES: [RegExp, string][] = [
  [/ENOSPC|No space left on device/i, 'the disk is full: free some space and run again'],
  [/EDQUOT|Disk quota exceeded/i, 'the disk quota is used up: free some space and run again'],
  [/EROFS|Read-only file system/i, 'the file system is read-only: give a folder that can be written'],
  [/EACCES|Permission denied/i, 'permission denied: give a folder this user can write, or fix its permissions'],
  [
    /EPERM|Operation not permitted/i,
    'operation not permitted (an immutable file or folder?): check `lsattr`, or give another folder',
  ],
];

/** One clear line for an error of the machine, or null for anything else. */
export function systemErrorMessage(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const errno = error as NodeJS.ErrnoException;
  const text = `${mkdirCause(errno) ?? errno.code ?? ''} ${error.message}`;
  const cause = CAUSES.find(([pattern]) => pattern.test(text));
  if (!cause) return null;
  const path = errno.path ?? error.message.match(/file "([^"]+)"/)?.[1];
  return `cannot write ${path ?? 'a file'}: ${cause[1]}`;
}

/** The database file could not be opened: held by another program, damaged, or not writable. */
export function databaseOpenError(path: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/Could not set lock on file/i.test(message)) {
    const holder = message.match(/Conflicting lock is held in (.+?) \(PID (\d+)\)/);
    return new WuweiError(
      'locked',
      `${path} is open in another program${holder ? ` (${holder[1]}, pid ${holder[2]})` : ''}: close it (a DuckDB shell, a notebook) and run again`,
      { cause: error },
    );
  }
  if (/not a valid DuckDB database file|database file .*(corrupt|invalid)|Checksum|Corrupt/i.test(message)) {
    return new WuweiError(
      'bad_input',
      `${path} is not a readable DuckDB database (damaged or overwritten): restore it from a backup, or load the exports into a new one (--db NEW_FILE)`,
      { cause: error },
    );
  }
  const system = systemErrorMessage(error);
  return system ? new WuweiError('cannot_write', system.replace('a file', path), { cause: error }) : (error as Error);
}

/**
 * Node's recursive mkdir reports ENOENT when a folder cannot be created on a read-only file system
 * or without permission: the folder it could not write to says why.
 */
function mkdirCause(errno: NodeJS.ErrnoException): string | undefined {
  if (errno.code !== 'ENOENT' || errno.syscall !== 'mkdir' || !errno.path) return undefined;
  let folder = dirname(errno.path);
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  try {
    accessSync(folder, constants.W_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}
