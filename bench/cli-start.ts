/**
 * `npx tsx bench/cli-start.ts [--runs 5] [--db DB]`: how long `wuwei --help` and the light commands take
 * to start (with --db, a night's database: also `models list` and `snapshots list`, which open it), as whole processes (wall and CPU through GNU time, medians with min–max), with the load
 * average beside them; records the "CLI start" section of BENCHMARKS.md (bench/results/cli-start.json).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { timeWuwei } from './child-stage.ts';
import { recordSection } from './render.ts';
import type { SectionTarget } from './sections.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_SECONDS = 1;

interface Timing {
  wall: number[];
  cpu: number[];
}

async function timeCommand(args: string[], runs: number): Promise<Timing> {
  const timing: Timing = { wall: [], cpu: [] };
  for (let i = 0; i < runs; i++) {
    const { wall, cpu } = await timeWuwei(args);
    timing.wall.push(wall);
    timing.cpu.push(cpu);
  }
  return timing;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const s = (seconds: number) => `${seconds.toFixed(2)} s`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, db: { type: 'string' } } });
  const runs = Number(values.runs);
  process.env.WUWEI_BENCH_ECHO = '0';
  // without dist/ the bin compiles TypeScript through tsx at each start: say which was measured
  const compiled = existsSync(join(repo, 'dist'));
  const scratch = mkdtempSync(join(tmpdir(), 'wuwei-cli-start-'));
  try {
    const db = values.db ?? join(scratch, 'wuwei.duckdb');
    const commands: { label: string; args: string[] }[] = [
      { label: '`wuwei --help`', args: ['--help'] },
      { label: '`wuwei runs`', args: ['runs', '--db', db] },
      // on a database that does not exist these two return before opening DuckDB: measured on a real night's only
      ...(values.db
        ? [
            { label: '`wuwei models list`', args: ['models', 'list', '--db', db] },
            { label: '`wuwei snapshots list`', args: ['snapshots', 'list', '--db', db] },
          ]
        : []),
    ];
    const loadBefore = loadavg()[0]!;
    const rows: string[] = [];
    const targets: SectionTarget[] = [];
    for (const command of commands) {
      const timing = await timeCommand(command.args, runs);
      const wall = median(timing.wall);
      const cpu = median(timing.cpu);
      rows.push(
        `| ${command.label} | ${s(wall)} (${s(Math.min(...timing.wall))}–${s(Math.max(...timing.wall))}) | ${s(cpu)} | ${cpu <= TARGET_SECONDS ? 'yes' : 'no'} |`,
      );
      targets.push({
        target: `CLI start: ${command.label} within ${TARGET_SECONDS} s (CPU; wall on a quiet machine)`,
        measured: `${s(cpu)} CPU, ${s(wall)} wall`,
        met: cpu <= TARGET_SECONDS,
      });
    }
    const load = `${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`;
    const markdown = [
      `Whole-process medians of ${runs} runs (min–max); load average ${load} on ${process.env.HOSTNAME ?? 'this machine'}: on a busy`,
      'machine wall times are several times the CPU times, so the target is judged on CPU time.',
      compiled
        ? 'The CLI ran compiled (`npm run build`, dist/).'
        : 'The CLI ran as TypeScript through tsx (no dist/: run `npm run build` first).',
      '',
      '| command | wall | CPU (user + sys) | target ≤ 1 s (CPU) |',
      '|---|---:|---:|---|',
      ...rows,
    ].join('\n');
    recordSection(repo, 'cli-start', {
      title: 'CLI start',
      order: 10,
      command: `\`npx tsx bench/cli-start.ts --runs ${runs}${values.db ? ' --db DB' : ''}\`${values.db ? ' (DB: a trained night, `wuwei run`)' : ''}`,
      targets,
      markdown,
    });
    process.stdout.write(`${markdown}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
