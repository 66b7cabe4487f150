import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { WuweiError } from './errors.ts';
import { stderrLogger } from './log.ts';
import { DEFAULT_DB, runPaths, type RunPaths } from './paths.ts';
import { runPipeline } from './run.ts';
import { featuresStage, generateStage, loadStage, reportStage, scoreStage, trainStage } from './stages.ts';
import { GENERATE_DEFAULTS } from './generate/index.ts';
import { DEFAULT_MAX_REJECT_RATE } from './load/index.ts';

interface SharedOptions {
  db: string;
  json?: boolean;
}

const log = stderrLogger;

/** Parses the command line, runs one command, and returns the exit code. User errors print one clear line. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('wuwei')
    .description('Wuwei (五维): honest win-probability predictions and forecasts from CRM exports')
    .showHelpAfterError()
    .exitOverride();

  command(program, 'generate', 'write a synthetic CRM export (and ground_truth.csv beside it)')
    .requiredOption('--out <dir>', 'folder to write the CSV exports to')
    .option('--opportunities <n>', 'number of opportunities', positiveInt, GENERATE_DEFAULTS.opportunities)
    .option('--seed <n>', 'random seed', int, GENERATE_DEFAULTS.seed)
    .option('--as-of <date>', 'export cut date (YYYY-MM-DD)', isoDate, GENERATE_DEFAULTS.asOf)
    .action(act((o) => generateStage({ out: o.out, opportunities: o.opportunities, seed: o.seed, asOf: o.asOf, log })));

  command(program, 'load', 'load an export folder into DuckDB')
    .requiredOption('--source <dir>', 'export folder')
    .option('--as-of <date>', "the export's as-of date (default: the date in the export's as_of.txt, else today)", isoDate)
    .option('--max-reject-rate <rate>', 'fail the load when more than this share of an entity\'s rows is rejected, e.g. 5% or 0.05', rate, DEFAULT_MAX_REJECT_RATE)
    .action(act((o, paths) => loadStage(paths, { source: o.source, asOf: o.asOf, maxRejectRate: o.maxRejectRate, log })));

  command(program, 'features', 'build the ECM and PBM feature tables, point in time')
    .option('--as-of <date>', 'as-of date (default: the loaded export\'s)', isoDate)
    .action(act((o, paths) => featuresStage(paths, { asOf: o.asOf, log })));

  command(program, 'train', 'train the win-probability model on closed deals, judged on a time-based holdout')
    .option('--seed <n>', 'random seed', int, 42)
    .action(act((o, paths) => trainStage(paths, { seed: o.seed, log })));

  command(program, 'score', 'score every open deal and write scores.csv')
    .option('--output <dir>', 'folder for scores.csv (default: out/ beside the database)')
    .action(act((_o, paths) => scoreStage(paths, { log })));

  command(program, 'report', 'build the report site from the database')
    .option('--site <dir>', 'site folder (default: site/ beside the database)')
    .action(act((_o, paths) => reportStage(paths, { log })));

  command(program, 'run', 'the nightly run: load, features, train, score, report')
    .requiredOption('--source <dir>', 'export folder')
    .option('--as-of <date>', "the export's as-of date (default: the date in the export's as_of.txt, else today)", isoDate)
    .option('--max-reject-rate <rate>', 'fail the load when more than this share of an entity\'s rows is rejected, e.g. 5% or 0.05', rate, DEFAULT_MAX_REJECT_RATE)
    .option('--seed <n>', 'random seed for training', int, 42)
    .option('--output <dir>', 'folder for scores.csv (default: out/ beside the database)')
    .option('--site <dir>', 'site folder (default: site/ beside the database)')
    .action(act((o, paths) => runPipeline(paths, { source: o.source, asOf: o.asOf, maxRejectRate: o.maxRejectRate, seed: o.seed, log })));

  command(program, 'demo', 'generate a synthetic CRM into data/demo and run the whole pipeline on it')
    .option('--opportunities <n>', 'number of opportunities', positiveInt, GENERATE_DEFAULTS.opportunities)
    .option('--seed <n>', 'random seed', int, GENERATE_DEFAULTS.seed)
    .action(
      act(async (o, paths) => {
        const source = join(resolve(o.db, '..'), 'demo');
        const generated = await generateStage({ out: source, opportunities: o.opportunities, seed: o.seed, log });
        const run = await runPipeline(paths, { source, asOf: generated.asOf, log });
        log.info(`demo done: scores in ${join(paths.out, 'scores.csv')}, site in ${paths.site} (open ${join(paths.site, 'index.html')} or run \`npx http-server ${paths.site}\`)`);
        return { generated, run };
      }),
    );

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    return reportError(error);
  }
}

/** A subcommand with the options every command shares. */
function command(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .addOption(new Option('--db <file>', 'DuckDB file; models, outputs, site and run records sit beside it').default(DEFAULT_DB))
    .option('--json', 'print a machine-readable summary on stdout (logs stay on stderr)')
    .exitOverride();
}

/** Wraps a stage so its summary is printed as JSON when asked. */
function act<O extends SharedOptions & Record<string, any>>(work: (options: O, paths: RunPaths) => Promise<unknown>) {
  return async (options: O) => {
    const paths = runPaths(options.db, { ...(options['output'] ? { out: options['output'] } : {}), ...(options['site'] ? { site: options['site'] } : {}) });
    const summary = await work(options, paths);
    if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  };
}

function reportError(error: unknown): number {
  const code = (error as { code?: string }).code;
  if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
  if (typeof code === 'string' && code.startsWith('commander.')) return 2; // commander already printed the message
  if (error instanceof WuweiError) {
    process.stderr.write(`wuwei: ${error.message}\n`);
    return 1;
  }
  process.stderr.write(`wuwei: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}

function int(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('not a whole number');
  return Number(value);
}

function positiveInt(value: string): number {
  const n = int(value);
  if (n <= 0) throw new InvalidArgumentError('must be at least 1');
  return n;
}

/** A share: '5%' or '0.05'. */
function rate(value: string): number {
  const percent = value.trim().endsWith('%');
  const n = Number(percent ? value.trim().slice(0, -1) : value);
  const share = percent ? n / 100 : n;
  if (value.trim() === '' || !Number.isFinite(share) || share < 0 || share > 1) throw new InvalidArgumentError('not a share between 0 and 1 (e.g. 0.05) or a percentage (e.g. 5%)');
  return share;
}

function isoDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('not a date YYYY-MM-DD');
  return value;
}
