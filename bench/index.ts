/**
 * `npm run bench [-- --sizes 10k,100k,1m]`: times every stage of Wuwei on generated data of each size,
 * as child processes with their peak RSS, beside the natural peers measured in the same run on the
 * same data (DuckDB's bare scan for load, scikit-learn on the same features and split, tfjs cpu
 * against wasm), and writes BENCHMARKS.md and bench/results.json.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { ensureDataset } from './dataset.ts';
import { runWuwei, type Measured } from './child-stage.ts';
import { describeMachine } from './machine.ts';
import { bareScan } from './peers/bare-scan.ts';
import { runSklearnPeer } from './peers/sklearn.ts';
import { readShapePeers, renderBenchmarks } from './render.ts';
import { readSections, SECTIONS_DIR } from './sections.ts';
import { STAGE_COMMANDS, STAGES, type BenchResults, type SizeResult, type StageName } from './results.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchOptions {
  sizes: number[];
  seed: number;
  cache: string;
  markdown: string;
  json: string;
  /** Largest size at which the (slow) cpu backend is also timed. */
  cpuUpTo: number;
  command: string;
  /** The recorded sections (bench/results/) kept in the Markdown; default the repository's. */
  sectionsDir?: string;
  /** The stages to time, in their order (default all): a smoke run times a few. */
  stages?: readonly StageName[];
  /** Skip the scikit-learn peer (the smoke test checks the rows, not the peers). */
  skipSklearn?: boolean;
  /** Sizes measured by an earlier run (its results file) and not by this one, kept in the tables. */
  keep?: BenchResults;
}

export async function runBenchmarks(options: BenchOptions): Promise<BenchResults> {
  const results: BenchResults = {
    command: options.command,
    startedAt: new Date().toISOString(),
    machine: describeMachine(),
    seed: options.seed,
    sizes: [],
  };
  const kept = (options.keep?.sizes ?? []).filter((size) => !options.sizes.includes(size.opportunities));
  if (options.keep && kept.length > 0) results.command = `${options.keep.command}, then ${options.command}`;
  results.sizes.push(...kept);
  for (const opportunities of options.sizes) {
    results.sizes.push(await benchSize(opportunities, options));
    results.sizes.sort((a, b) => a.opportunities - b.opportunities);
    // written after every size, so a long run that is stopped still leaves its figures
    writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(
      options.markdown,
      renderBenchmarks(results, readShapePeers(repo), readSections(options.sectionsDir ?? join(repo, SECTIONS_DIR))),
    );
  }
  return results;
}

async function benchSize(opportunities: number, options: BenchOptions): Promise<SizeResult> {
  progress(`${opportunities} opportunities: data`);
  const dataset = await ensureDataset(options.cache, opportunities, options.seed);
  const db = join(dataset.dir, 'wuwei.duckdb');
  for (const output of ['wuwei.duckdb', 'wuwei.duckdb.wal', 'models', 'out', 'site', 'runs'])
    rmSync(join(dataset.dir, output), { recursive: true, force: true });

  progress(`${opportunities}: DuckDB bare scan of the export (peer)`);
  const scan = await bareScan(dataset.exportDir);

  const stages = {} as SizeResult['stages'];
  const summaries = {} as Record<StageName, any>;
  const stagesTimed = STAGES.filter((name) => !options.stages || options.stages.includes(name));
  for (const stage of stagesTimed) {
    progress(`${opportunities}: ${stage}`);
    const args = stage === 'load' ? [...STAGE_COMMANDS.load, '--source', dataset.exportDir] : STAGE_COMMANDS[stage];
    const measured: Measured<any> = await runWuwei([...args, '--db', db]);
    stages[stage] = { seconds: measured.seconds, peakRssMb: measured.peakRssMb };
    summaries[stage] = measured.summary;
  }

  let cpuBackend: SizeResult['peers']['cpuBackend'] = {
    skipped: `only up to ${options.cpuUpTo} opportunities (--cpu-up-to)`,
  };
  if (opportunities <= options.cpuUpTo) {
    progress(`${opportunities}: train and score on the tfjs cpu backend (peer)`);
    const env = { WUWEI_TF_BACKEND: 'cpu' };
    const train = await runWuwei<any>(['train', '--db', db], env);
    const score = await runWuwei(['score', '--db', db], env);
    cpuBackend = { train: pick(train), score: pick(score), holdoutAuc: train.summary?.metrics?.auc ?? null };
  }

  let sklearn: SizeResult['peers']['sklearn'] = { ok: false, reason: 'skipped in this run' };
  if (!options.skipSklearn) {
    progress(`${opportunities}: scikit-learn on the same features and split (peer)`);
    sklearn = await runSklearnPeer(db, { holdoutFraction: 0.2, validationFraction: 0.15 });
  }

  return {
    opportunities,
    generate: {
      seconds: dataset.generate.seconds,
      peakRssMb: dataset.generate.peakRssMb,
      cached: dataset.generate.cached,
    },
    rows: rowCounts(summaries.load),
    stages,
    stagesTimed,
    backend: summaries.train?.backend ?? 'unknown',
    holdoutAuc: summaries.train?.metrics?.auc ?? null,
    peers: { bareScan: scan, cpuBackend, sklearn },
  };
}

function pick(measured: Measured): { seconds: number; peakRssMb: number } {
  return { seconds: measured.seconds, peakRssMb: measured.peakRssMb };
}

/** Loaded rows per table from the load summary, whatever its exact shape. */
function rowCounts(loadSummary: any): Record<string, number> {
  const tables = loadSummary?.tables ?? loadSummary?.entities ?? {};
  const counts: Record<string, number> = {};
  for (const [name, value] of Object.entries<any>(tables)) {
    const rows = typeof value === 'number' ? value : (value?.loaded ?? value?.rows);
    if (typeof rows === 'number') counts[name] = rows;
  }
  return counts;
}

function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function parseSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`not a size like 10k or 1m: ${value}`);
  const scale = { '': 1, k: 1_000, m: 1_000_000 }[match[2]!.toLowerCase() as '' | 'k' | 'm'];
  return Math.round(Number(match[1]) * scale);
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('bench')
    .description('time every Wuwei stage and its peers on generated data')
    .option(
      '--sizes <list>',
      'comma-separated sizes in opportunities (10k, 100k, 1m)',
      (value) => value.split(',').map(parseSize),
      [10_000, 100_000],
    )
    .option('--seed <n>', 'generator seed', (value) => Number.parseInt(value, 10), 7)
    .option('--cache <dir>', 'where generated data is kept between runs', join(repo, 'data', 'bench'))
    .option('--markdown <file>', 'the table to write', join(repo, 'BENCHMARKS.md'))
    .option('--json <file>', 'the raw results to write', join(repo, 'bench', 'results.json'))
    .option('--cpu-up-to <n>', 'time the tfjs cpu backend only up to this size', parseSize, 100_000)
    .option('--merge', 'keep the sizes of the existing results file that this run does not measure')
    .parse(argv);
  const options = program.opts();
  const json = resolve(options.json);
  await runBenchmarks({
    sizes: options.sizes,
    seed: options.seed,
    cache: resolve(options.cache),
    markdown: resolve(options.markdown),
    json,
    cpuUpTo: options.cpuUpTo,
    command: `npm run bench -- ${argv.slice(2).join(' ')}`.trim(),
    ...(options.merge && existsSync(json) ? { keep: JSON.parse(readFileSync(json, 'utf8')) as BenchResults } : {}),
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main(process.argv);
