/**
 * Runs one `wuwei` command as a child process, as sales ops would, and measures it from outside:
 * wall time, and peak RSS through GNU time, whose figure (from wait4) also covers the processes the
 * command waits for, such as the report's Framework build and its data loaders.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const WUWEI_BIN = join(here, '..', 'bin', 'wuwei.js');
const GNU_TIME = '/usr/bin/time';

export interface Measured<T = unknown> {
  seconds: number;
  peakRssMb: number;
  summary: T;
}

export async function runWuwei<T = unknown>(args: string[], env: Record<string, string> = {}): Promise<Measured<T>> {
  if (!existsSync(GNU_TIME))
    throw new Error(`${GNU_TIME} not found: the benchmark measures memory with GNU time (apt-get install time)`);
  const probeDir = mkdtempSync(join(tmpdir(), 'wuwei-bench-'));
  const rssFile = join(probeDir, 'rss');
  const start = performance.now();
  try {
    const { stdout, stderr, code } = await spawnCollect(
      GNU_TIME,
      ['-f', '%M', '-o', rssFile, process.execPath, WUWEI_BIN, ...args, '--json'],
      { ...process.env, ...env },
    );
    const seconds = (performance.now() - start) / 1000;
    if (code !== 0)
      throw new Error(`wuwei ${args.join(' ')} exited with ${code}:\n${stderr.split('\n').slice(-15).join('\n')}`);
    return {
      seconds,
      peakRssMb: Number(readFileSync(rssFile, 'utf8').trim()) / 1024,
      summary: JSON.parse(stdout) as T,
    };
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}

/** Wall and CPU (user + sys) seconds of one `wuwei` command, measured by GNU time. */
export interface Timed {
  wall: number;
  cpu: number;
}

/** Runs one `wuwei` command under GNU time and returns its wall and CPU seconds; throws when it fails. */
export async function timeWuwei(args: string[]): Promise<Timed> {
  // GNU time's -f line is the last line of stderr
  const { stderr, code } = await spawnCollect(
    GNU_TIME,
    ['-f', '%e %U %S', process.execPath, WUWEI_BIN, ...args],
    process.env,
  );
  if (code !== 0) throw new Error(`wuwei ${args.join(' ')} exited with ${code}: ${stderr.trim().split('\n').at(-2)}`);
  const [wall, user, sys] = stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wall: wall!, cpu: user! + sys! };
}

/** Spawns a process, collecting stdout and stderr; stderr lines are echoed so long stages show progress. */
export function spawnCollect(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (process.env.WUWEI_BENCH_ECHO !== '0')
        process.stderr.write(`    ${chunk.toString().trimEnd().replaceAll('\n', '\n    ')}\n`);
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ stdout, stderr, code }));
  });
}
