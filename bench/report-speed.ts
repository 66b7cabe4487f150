/**
 * `npx tsx bench/report-speed.ts --db DB [--db DB2 ...] [--note TEXT]`: the report stage on a run's
 * database, as the night runs it: a first build into a new site folder with Framework's package
 * cache (`_node/`) emptied, as in a fresh checkout; a build into another new folder with that cache
 * made, as on a usual night (each page's data, then the Framework build); then a report of the same
 * database again, which keeps the site. Records the "Report" section of BENCHMARKS.md
 * (bench/results/report-speed.json) with the load average beside each figure; the target is the
 * Framework build within about 10 s at any size, judged on the slower of the two builds. `--note`
 * says how the databases were made.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { withDatabase, queryRows } from '../pipeline/base/db.ts';
import { quietLogger } from '../pipeline/base/log.ts';
import { buildReport, FRAMEWORK_CACHE, type ReportSummary } from '../reports/build.ts';
import { recordSection } from './render.ts';
import type { SectionTarget } from './sections.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_SECONDS = 10;

interface Measured {
  opportunities: number;
  /** The usual night's build: Framework's package cache already made. */
  first: ReportSummary;
  /** CPU seconds of that Framework build (its process and children): what the load does not inflate. */
  frameworkCpu: number;
  /** CPU seconds of the build with Framework's package cache emptied (a fresh checkout's first night). */
  freshCheckoutCpu: number;
  again: ReportSummary;
  load: string;
}

const s = (seconds: number) => `${seconds.toFixed(1)} s`;

/** CPU seconds of this process's finished children (Linux: cutime + cstime of /proc/self/stat, in ticks of 1/100 s). */
function childrenCpu(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

async function opportunities(dbPath: string): Promise<number> {
  const [row] = await withDatabase(
    dbPath,
    (conn) => queryRows<{ n: number }>(conn, 'SELECT count(*)::INTEGER AS n FROM opportunities'),
    { readOnly: true },
  );
  return row?.n ?? 0;
}

async function measure(dbPath: string): Promise<Measured> {
  const scratch = mkdtempSync(join(tmpdir(), 'wuwei-report-speed-'));
  try {
    const siteDir = join(scratch, 'site');
    const loadBefore = loadavg()[0]!;
    rmSync(join(FRAMEWORK_CACHE, '_node'), { recursive: true, force: true });
    let cpuBefore = childrenCpu();
    await buildReport({ dbPath, siteDir: join(scratch, 'fresh-checkout-site'), log: quietLogger });
    const freshCheckoutCpu = childrenCpu() - cpuBefore;
    cpuBefore = childrenCpu();
    const first = await buildReport({ dbPath, siteDir, log: quietLogger });
    const frameworkCpu = childrenCpu() - cpuBefore;
    const again = await buildReport({ dbPath, siteDir, log: quietLogger });
    const load = `${loadBefore.toFixed(1)}–${loadavg()[0]!.toFixed(1)}`;
    return { opportunities: await opportunities(dbPath), first, frameworkCpu, freshCheckoutCpu, again, load };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { db: { type: 'string', multiple: true }, note: { type: 'string' } } });
  const dbs = values.db ?? [];
  if (dbs.length === 0) throw new Error('give the run databases to report: --db DB [--db DB2 ...]');
  const runs: Measured[] = [];
  for (const db of dbs) runs.push(await measure(resolve(db)));
  runs.sort((a, b) => a.opportunities - b.opportunities);
  const pages = Object.keys(runs[0]!.first.dataSeconds);
  const total = (summary: ReportSummary) => Object.values(summary.dataSeconds).reduce((sum, x) => sum + x, 0);
  const met = (run: Measured) => Math.max(run.frameworkCpu, run.freshCheckoutCpu) <= TARGET_SECONDS;
  const rows = runs.map(
    (run) =>
      `| ${run.opportunities.toLocaleString('en-US')} | ${s(total(run.first))} | ${s(run.first.frameworkSeconds)} | ` +
      `${s(run.frameworkCpu)} | ${s(run.freshCheckoutCpu)} | ${s(run.first.seconds)} | ` +
      `${s(run.again.seconds)} (${run.again.outcome}) | ${run.load} | ${met(run) ? 'yes' : 'no'} |`,
  );
  const pageRows = pages.map(
    (page) => `| ${page} | ${runs.map((run) => s(run.first.dataSeconds[page] ?? Number.NaN)).join(' | ')} |`,
  );
  const targets: SectionTarget[] = runs.map((run) => ({
    target: `Report: the Framework build within ${TARGET_SECONDS} s (CPU) at ${run.opportunities.toLocaleString('en-US')} opportunities`,
    measured:
      `${s(run.frameworkCpu)} CPU (${s(run.freshCheckoutCpu)} in a fresh checkout), ${s(run.first.frameworkSeconds)} wall ` +
      `(whole report ${s(run.first.seconds)}; unchanged night ${s(run.again.seconds)}, load ${run.load})`,
    met: met(run),
  }));
  const markdown = [
    `The report stage on a night's database: the pages' data computed in-process, then the Framework build (with the`,
    `charts' vega runtime that esbuild bundles for it); then the same database reported again, which keeps the published`,
    `site (its inputs' fingerprint is unchanged). "In a fresh checkout": the same build with Framework's package cache`,
    `(\`_node/\`) emptied first, as on a new install's first night. Wall times of one run each, with the 1-minute load`,
    `average before–after on ${process.env.HOSTNAME ?? 'this machine'}: on a busy machine wall times are several times the`,
    'CPU times, so the target is judged on the CPU time of the slower build.',
    '',
    '| opportunities | page data | Framework build | its CPU | its CPU in a fresh checkout | report | unchanged night | load avg | build ≤ 10 s (CPU) |',
    '|---:|---:|---:|---:|---:|---:|---:|---|---|',
    ...rows,
    '',
    "Each page's data on the first build, by opportunities:",
    '',
    `| page | ${runs.map((run) => run.opportunities.toLocaleString('en-US')).join(' | ')} |`,
    `|---|${runs.map(() => '---:').join('|')}|`,
    ...pageRows,
  ].join('\n');
  recordSection(repo, 'report-speed', {
    title: 'Report',
    order: 25,
    command:
      '`npx wuwei generate --out G --opportunities 100000 --seed 7 && npx wuwei run --source G --db G.duckdb --no-report`, ' +
      `then \`npx tsx bench/report-speed.ts ${dbs.map((db) => `--db ${db}`).join(' ')}\`` +
      (values.note ? ` (${values.note})` : ''),
    targets,
    markdown,
  });
  process.stdout.write(`${markdown}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
