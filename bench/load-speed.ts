/**
 * `npx tsx bench/load-speed.ts --export DIR [--wide-rows 2000] [--runs 3]`: `wuwei load` against DuckDB's
 * bare scan of the same files (bench/peers/bare-scan.ts), and a wide export (50 against 5,000 custom
 * columns on the deals) against the cells it holds; wall and CPU, the load average beside them. Each
 * pair runs `--runs` times, scan and load alternating, and the medians are compared: on a shared
 * 2-core machine one run of either moved by a third from hour to hour. Records the "Load speed"
 * section of BENCHMARKS.md (bench/results/load-speed.json).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { timeWuwei, type Timed } from './child-stage.ts';
import { bareScan } from './peers/bare-scan.ts';
import { recordSection } from './render.ts';
import type { SectionTarget } from './sections.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** `wuwei load` within this multiple of the bare scan (issue 19). */
const TARGET_RATIO = 2;

/** The bare scan in this process: its wall time, and the CPU this process (DuckDB's threads) spent on it. */
async function scan(exportDir: string): Promise<Timed & { rows: number }> {
  const before = process.cpuUsage();
  const result = await bareScan(exportDir);
  const cpu = process.cpuUsage(before);
  return { wall: result.seconds, cpu: (cpu.user + cpu.system) / 1e6, rows: result.rows };
}

async function load(exportDir: string, scratch: string): Promise<Timed> {
  const db = join(scratch, `load-${Date.now()}`, 'wuwei.duckdb');
  try {
    return await timeWuwei(['load', '--source', exportDir, '--db', db, '--json']);
  } finally {
    rmSync(dirname(db), { recursive: true, force: true });
  }
}

/** A copy of an export whose deals carry `columns` more columns (numbers, and every third one text). */
function widen(exportDir: string, target: string, columns: number): void {
  cpSync(exportDir, target, { recursive: true });
  const lines = readFileSync(join(exportDir, 'opportunities.csv'), 'utf8').trimEnd().split('\n');
  const names = Array.from({ length: columns }, (_, i) => `custom_field_${i}`);
  const rows = lines.slice(1).map((line, r) => {
    const values = names.map((_, i) => (i % 3 === 2 ? `v${(r * 7 + i) % 13}` : String((r * 31 + i * 17) % 1000)));
    return `${line},${values.join(',')}`;
  });
  writeFileSync(join(target, 'opportunities.csv'), `${[`${lines[0]},${names.join(',')}`, ...rows].join('\n')}\n`);
}

/** Rows times columns over the export's CSV files (the generator's truth files aside). */
function cells(exportDir: string): number {
  let total = 0;
  for (const file of readdirSync(exportDir).filter((f) => extname(f) === '.csv' && !f.startsWith('ground_truth'))) {
    const lines = readFileSync(join(exportDir, file), 'utf8').trimEnd().split('\n');
    total += (lines.length - 1) * lines[0]!.split(',').length;
  }
  return total;
}

/** Scan and load `runs` times, alternating, so that a busy minute slows both; the median of each. */
async function pair(
  exportDir: string,
  scratch: string,
  runs: number,
): Promise<{ bare: Timed & { rows: number }; load: Timed }> {
  const bare: (Timed & { rows: number })[] = [];
  const loaded: Timed[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(await scan(exportDir));
    loaded.push(await load(exportDir, scratch));
  }
  return { bare: { ...median(bare), rows: bare[0]!.rows }, load: median(loaded) };
}

function median(runs: Timed[]): Timed {
  const middle = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { wall: middle(runs.map((r) => r.wall)), cpu: middle(runs.map((r) => r.cpu)) };
}

const s = (seconds: number) => (seconds < 10 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds)} s`);
const x = (ratio: number) => `${ratio.toFixed(1)}×`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      export: { type: 'string' },
      'wide-rows': { type: 'string', default: '2000' },
      runs: { type: 'string', default: '3' },
    },
  });
  const runs = Number(values.runs);
  if (!values.export) throw new Error('give --export DIR: an export from `wuwei generate`');
  process.env.WUWEI_BENCH_ECHO = '0';
  const scratch = mkdtempSync(join(tmpdir(), 'wuwei-load-speed-'));
  const loads: string[] = [];
  try {
    const targets: SectionTarget[] = [];
    loads.push(loadavg()[0]!.toFixed(1));
    const { bare, load: loaded } = await pair(values.export, scratch, runs);
    loads.push(loadavg()[0]!.toFixed(1));
    const ratio = { wall: loaded.wall / bare.wall, cpu: loaded.cpu / bare.cpu };
    targets.push({
      target: `\`wuwei load\` ≤ ${TARGET_RATIO}× DuckDB's bare scan (${bare.rows.toLocaleString('en-US')} rows)`,
      measured: `${x(ratio.wall)} wall (${s(loaded.wall)} / ${s(bare.wall)}), ${x(ratio.cpu)} CPU`,
      met: ratio.wall <= TARGET_RATIO,
    });

    const small = join(scratch, 'small');
    const rows = values['wide-rows']!;
    await timeWuwei(['generate', '--out', small, '--opportunities', rows, '--seed', '7']);
    const wide: { columns: number; cells: number; bare: Timed; load: Timed }[] = [];
    for (const columns of [50, 5000]) {
      const dir = join(scratch, `wide-${columns}`);
      widen(small, dir, columns);
      wide.push({ columns, cells: cells(dir), ...(await pair(dir, scratch, runs)) });
      rmSync(dir, { recursive: true, force: true });
    }
    loads.push(loadavg()[0]!.toFixed(1));
    const [narrow, broad] = wide as [(typeof wide)[0], (typeof wide)[0]];
    const cellRatio = broad.cells / narrow.cells;
    const timeRatio = broad.load.wall / narrow.load.wall;
    // Few deals make the narrow load mostly fixed cost, so "time ∝ cells" is judged as the main
    // target is: the wide export within twice DuckDB's own scan of it (which grows with its cells).
    const wideRatio = broad.load.wall / broad.bare.wall;
    targets.push({
      target: `Wide exports load in time proportional to their cells: 5,000 custom columns ≤ ${TARGET_RATIO}× the bare scan`,
      measured: `${x(wideRatio)} (${s(broad.load.wall)} / ${s(broad.bare.wall)}); ${x(cellRatio)} the cells of 50 columns took ${x(timeRatio)} the time`,
      met: wideRatio <= TARGET_RATIO,
    });

    const markdown = [
      `Whole-process \`wuwei load\` (wall, and CPU through GNU time) against DuckDB's bare scan of the same files in one`,
      `process (bench/peers/bare-scan.ts: its wall time and the CPU of its threads), the median of ${runs} runs each (scan`,
      `and load alternating); load average ${loads.join(', ')} (before, between, after) on a 2-core machine shared with`,
      'other work, so the ratios, not the seconds, are the figures to compare. `wuwei load` includes the CLI start.',
      '',
      '| export | bare scan wall (CPU) | `wuwei load` wall (CPU) | load / scan wall | load / scan CPU |',
      '|---|---:|---:|---:|---:|',
      `| --export (${bare.rows.toLocaleString('en-US')} rows) | ${s(bare.wall)} (${s(bare.cpu)}) | ${s(loaded.wall)} (${s(loaded.cpu)}) | ${x(ratio.wall)} | ${x(ratio.cpu)} |`,
      ...wide.map(
        (w) =>
          `| ${rows} deals + ${w.columns.toLocaleString('en-US')} custom columns (${w.cells.toLocaleString('en-US')} cells) | ${s(w.bare.wall)} (${s(w.bare.cpu)}) | ${s(w.load.wall)} (${s(w.load.cpu)}) | ${x(w.load.wall / w.bare.wall)} | ${x(w.load.cpu / w.bare.cpu)} |`,
      ),
      '',
      `Wide export: ${x(cellRatio)} the cells took ${x(timeRatio)} the \`wuwei load\` time (DuckDB's bare scan ${x(broad.bare.wall / narrow.bare.wall)}).`,
    ].join('\n');
    recordSection(repo, 'load-speed', {
      title: 'Load speed',
      order: 5,
      command: `\`wuwei generate --out DIR --opportunities 100000 --seed 7; npx tsx bench/load-speed.ts --export DIR --wide-rows ${rows} --runs ${runs}\``,
      targets,
      markdown,
    });
    process.stdout.write(`${markdown}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
