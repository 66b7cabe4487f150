/** The real `wuwei` CLI in a child process, as sales ops run it. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const WUWEI = join(import.meta.dirname, '..', '..', 'bin', 'wuwei.js');

const execFileAsync = promisify(execFile);

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a command to its end. */
export async function wuwei(args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [WUWEI, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

/**
 * Starts a command in its own process group, so that it can be killed together with the processes
 * it starts (the report's Framework build and data loaders), as a crash or an OOM kill would.
 */
export function startWuwei(args: string[]): {
  child: ChildProcess;
  exited: Promise<number | null>;
  killHard: () => void;
} {
  const child = spawn(process.execPath, [WUWEI, ...args], { detached: true, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const killHard = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  return { child, exited, killHard };
}

/**
 * The same CLI entry in this process (no child process start-up, so a table of cases stays quick):
 * its exit code and everything it printed on stdout and stderr.
 */
export async function wuweiInProcess(args: string[]): Promise<CliResult & { output: string }> {
  const { main } = await import('../../pipeline/commands/cli.ts');
  let stdout = '';
  let stderr = '';
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'wuwei', ...args]);
    return { code, stdout, stderr, output: stdout + stderr };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}
