import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { isIsoDate } from '../base/dates.ts';
import { WuweiError } from '../base/errors.ts';
import { stderrLogger } from '../base/log.ts';
import { DEFAULT_DB, runPaths, type RunPaths } from '../config/paths.ts';
// Stages load TensorFlow.js, Framework and DuckDB: each action imports what it needs, so help and light commands start at once.
import type { WuweiConfig } from '../config/config.ts';
import { checkWriteFolders } from '../config/write-folders.ts';
import { existsSync } from 'node:fs';
import { systemErrorMessage } from '../base/system-errors.ts';
import { WRITEBACK_FORMATS, type WritebackFormat } from '../score/writeback-formats.ts';
import { GENERATE_DEFAULTS } from '../generate/defaults.ts';
import { LAYOUT_NAMES } from '../load/mapping/layout-names.ts';
import { DEFAULT_SNAPSHOTS, EXPORT_SHAPES } from '../generate/export-shape.ts';

interface SharedOptions {
  db: string;
  json?: boolean;
  wait: number;
  config?: string;
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
    .option('--layout <name>', `export layout: ${LAYOUT_NAMES.join(', ')}`, 'canonical')
    .option(
      '--untidy-reps',
      "the same deals with reps' stages, amounts and close dates as untidy as sales-ops studies report",
    )
    .addOption(
      new Option('--shape <shape>', 'history file, nightly snapshot folders, or one flat opportunities file')
        .choices(EXPORT_SHAPES)
        .default('history'),
    )
    .option(
      '--snapshots <n>',
      'snapshots shape: how many nightly folders (a week apart), the last at --as-of',
      positiveInt,
      DEFAULT_SNAPSHOTS.count,
    )
    .option(
      '--custom-columns',
      'add company-specific columns (tender flag, budget, revenue band, ..., one leaky) that move the outcomes',
    )
    .option('--zero-amount-share <share>', 'share of deals whose amount is exported as 0 or empty, e.g. 0.02', rate, 0)
    .action(
      act(
        async (o) =>
          (await import('./generate-stage.ts')).generateStage({
            out: o.out,
            opportunities: o.opportunities,
            seed: o.seed,
            asOf: o.asOf,
            layout: o.layout,
            log,
            untidyReps: o.untidyReps === true,
            shape: o.shape,
            customColumns: o.customColumns === true,
            zeroAmountShare: o.zeroAmountShare,
            snapshots: { count: o.snapshots, everyDays: DEFAULT_SNAPSHOTS.everyDays },
          }),
        { lock: false },
      ),
    );

  program
    .command('init')
    .description(
      'read an export and write a draft mapping for it (contract columns, stages, custom columns, as-of date)',
    )
    .requiredOption('--source <dir>', 'export folder')
    .option('--out <file>', 'where to write the draft mapping', 'mapping.yaml')
    .option('--json', 'print a machine-readable summary on stdout (logs stay on stderr)')
    .exitOverride()
    .action(async (o: { source: string; out: string; json?: boolean }) => {
      if (existsSync(o.out))
        throw new WuweiError(
          'bad_option',
          `${o.out} exists: pass another --out, or move it away (init never overwrites a mapping)`,
        );
      const [{ withDatabase }, { writeSuggestedMapping }] = await Promise.all([
        import('../base/db.ts'),
        import('../load/mapping/suggest.ts'),
      ]);
      const suggestion = await withDatabase(':memory:', (conn) => writeSuggestedMapping(conn, o.source, o.out));
      for (const check of suggestion.checks) log.warn(check);
      const asOf = !suggestion.statedAsOf && suggestion.asOf ? ` --as-of ${suggestion.asOf}` : '';
      log.info(
        `wrote a draft mapping to ${o.out}: load it with \`wuwei load --source ${o.source} --mapping ${o.out}${asOf}\``,
      );
      if (o.json)
        process.stdout.write(
          `${JSON.stringify({ out: o.out, checks: suggestion.checks, stages: suggestion.stages, customColumns: suggestion.customColumns, asOf: suggestion.asOf }, null, 2)}\n`,
        );
    });

  sourceOptions(command(program, 'load', 'load an export folder into DuckDB'))
    .option('--as-of <date>', "the export's as-of date (default: the date in the export's as_of.txt, else today)")
    .option(
      '--max-reject-rate <rate>',
      "fail the load when more than this share of an entity's rows is rejected, e.g. 5% or 0.05 (default: the mapping's max_reject_share, else load.maxRejectShare in the config, else 5%)",
      rate,
    )
    .action(
      act(async (o, paths, config) =>
        (await import('./load-stage.ts')).loadStage(paths, {
          ...sourceSelection(o, config),
          ...rejectRates(o, config),
          asOf: o.asOf,
          config,
          log,
        }),
      ),
    );

  command(program, 'features', 'build the ECM and PBM feature tables, point in time')
    .option('--as-of <date>', "as-of date (default: the loaded export's)")
    .option(
      '--scoring-only',
      "only the open deals' features (what a night without retraining needs); the training table is kept",
    )
    .action(
      act(async (o, paths, config) =>
        (await import('./stages.ts')).featuresStage(paths, {
          asOf: o.asOf,
          training: o.scoringOnly !== true,
          log,
          config,
        }),
      ),
    );

  command(
    program,
    'train',
    'train the win-probability, deal-size and close-timing models on closed deals, judged on a time-based holdout',
  )
    .option('--seed <n>', "random seed (default: the config's models.seed, else 42)", int)
    .option('--force', "make the new model active even if its holdout AUC is below 95% of the active model's")
    .action(
      act(async (o, paths, config) =>
        (await import('./stages.ts')).trainStage(paths, { seed: o.seed, force: o.force === true, log, config }),
      ),
    );

  command(
    program,
    'iterate',
    'rebuild one feature family and judge it with a quick win model, with and without it (analysis only: nothing registered)',
  )
    .requiredOption(
      '--family <name>',
      "feature family, e.g. ecm_key_person or pbm_money (see docs/features.md), or custom (the export's own columns)",
    )
    .option('--seed <n>', "random seed for the quick model (default: the config's models.seed, else 42)", int)
    .option('--epochs <n>', 'most epochs of the quick model', positiveInt)
    .option('--rows-per-epoch <n>', 'rows drawn per epoch of the quick model', positiveInt)
    .option(
      '--repeats <n>',
      'quick models per feature set, with consecutive seeds (default 1; more tell a real difference from noise)',
      positiveInt,
    )
    .option('--no-ablation', 'skip the quick model without the family')
    .action(
      act(async (o, paths, config) => {
        const { formatIterate, iterateStage } = await import('./iterate.ts');
        const summary = await iterateStage(paths, {
          family: o.family,
          seed: o.seed,
          epochs: o.epochs,
          rowsPerEpoch: o.rowsPerEpoch,
          repeats: o.repeats,
          ablation: o.ablation !== false,
          config,
          log,
        });
        if (!o.json) process.stdout.write(formatIterate(summary));
        return summary;
      }),
    );

  const models = program.command('models').description('list the trained model versions, or activate one (rollback)');
  command(models, 'list', 'list the model versions, newest first, with their holdout metrics').action(
    act(
      async (o, paths) => {
        // the registry, not the stages: listing reads the database without loading TensorFlow.js
        const [{ withDatabase }, { listModels }] = await Promise.all([
          import('../base/db.ts'),
          import('../../models/win/registry.ts'),
        ]);
        const listing = await withDatabase(paths.db, listModels);
        if (!o.json) {
          if (listing.length === 0) process.stdout.write('no models trained yet\n');
          for (const m of listing) {
            const extra = [
              m.amountWape !== null ? `deal-size WAPE ${m.amountWape.toFixed(3)}` : '',
              m.closeMaeDays !== null ? `close MAE ${m.closeMaeDays.toFixed(0)} d` : '',
            ]
              .filter(Boolean)
              .join(', ');
            process.stdout.write(
              `${m.active ? '*' : ' '} ${m.version}  ${m.trainedAt}  AUC ${m.auc.toFixed(3)} (stage ${m.baselineAuc.toFixed(3)}), ECE ${m.ece.toFixed(3)}${extra ? `, ${extra}` : ''}, ${m.nTrainDeals} training deals, ${m.backend}\n`,
            );
          }
        }
        return listing;
      },
      { lock: false },
    ),
  );
  command(models, 'activate', 'make a trained version the active one (e.g. roll back)')
    .argument('<version>', 'a version from `wuwei models list`')
    .action(async (version: string, options: SharedOptions, cmd: Command) => {
      await act(async (_o, paths) => (await import('./stages.ts')).modelsActivateStage(paths, { version, log }))(
        options,
        cmd,
      );
    });

  command(program, 'score', 'score every open deal and write scores.csv (and the write-back files in the config)')
    .option('--output <dir>', "folder for scores.csv (default: the config's output, else out/ beside the database)")
    .action(act(async (_o, paths, config) => (await import('./stages.ts')).scoreStage(paths, { log, config })));

  command(
    program,
    'moves',
    "price each open deal's next moves with the model and allocate executives and solutions engineers; write next_moves.csv",
  )
    .option(
      '--output <dir>',
      "folder for next_moves.csv and the task files (default: the config's output, else out/ beside the database)",
    )
    .action(act(async (_o, paths, config) => (await import('./stages.ts')).movesStage(paths, { log, config })));

  command(
    program,
    'forecast',
    'forecast bookings per month, quarter and segment from the latest scores; write forecast.csv',
  )
    .option('--output <dir>', "folder for forecast.csv (default: the config's output, else out/ beside the database)")
    .action(act(async (_o, paths, config) => (await import('./stages.ts')).forecastStage(paths, { log, config })));

  command(
    program,
    'backtest',
    'recompute the forecast as of the start of past quarters with models trained before each, and judge it',
  )
    .option('--quarters <n>', "how many past quarters (default: the config's backtest.quarters)", positiveInt)
    .option(
      '--week-step <n>',
      "also forecast every n weeks into each quarter; 0: quarter starts only (default: the config's backtest.weekStep)",
      int,
    )
    .option('--seed <n>', "random seed for training (default: the config's models.seed, else 42)", int)
    .action(
      act(async (o, paths, config) =>
        (await import('./stages.ts')).backtestStage(paths, {
          log,
          ...(o.seed !== undefined ? { seed: o.seed } : {}),
          config: {
            ...config,
            backtest: {
              ...config.backtest,
              ...(o.quarters ? { quarters: o.quarters } : {}),
              ...(o.weekStep !== undefined ? { weekStep: o.weekStep } : {}),
            },
          },
        }),
      ),
    );

  command(program, 'writeback', 'write the latest scores as files a CRM can import (docs/writeback.md)')
    .requiredOption('--format <list>', `comma-separated: ${WRITEBACK_FORMATS.join(', ')}`, formats)
    .option('--output <dir>', "folder for the files (default: the config's output, else out/ beside the database)")
    .action(act(async (o, paths) => (await import('./stages.ts')).writebackStage(paths, { log, formats: o.format })));

  command(program, 'runs', 'list the run records, newest first')
    .option('--limit <n>', 'how many', positiveInt, 20)
    .action(
      act(
        async (o, paths) => {
          const { formatRuns, listRuns } = await import('./run.ts');
          const runs = listRuns(paths.runs, o.limit);
          if (!o.json) process.stdout.write(formatRuns(runs));
          return runs;
        },
        { lock: false, database: false },
      ),
    );

  const snapshots = program
    .command('snapshots')
    .description('list the nightly snapshots, or drop one loaded with a wrong as-of date');
  command(snapshots, 'list', 'list the snapshots kept, newest first (* marks the loaded one)').action(
    act(async (o, paths) => {
      const [{ withDatabase }, { formatSnapshots, listSnapshots }] = await Promise.all([
        import('../base/db.ts'),
        import('../load/snapshots.ts'),
      ]);
      const listing = existsSync(paths.db) ? await withDatabase(paths.db, listSnapshots) : [];
      if (!o.json) process.stdout.write(formatSnapshots(listing));
      return listing;
    }),
  );
  command(snapshots, 'drop', "remove one night's rows from every nightly table (snapshots, scores, forecasts, ...)")
    .argument('<date>', 'an as-of date from `wuwei snapshots list`')
    .action(async (date: string, options: SharedOptions, cmd: Command) => {
      await act(async (_o, paths) => {
        const [{ checkDate }, { withDatabase }, { dropSnapshot }] = await Promise.all([
          import('../load/as-of.ts'),
          import('../base/db.ts'),
          import('../load/snapshots.ts'),
        ]);
        const asOf = checkDate(date, 'snapshots drop');
        const dropped = await withDatabase(paths.db, (conn) => dropSnapshot(conn, asOf));
        log.info(
          `dropped the snapshot as of ${asOf} (${Object.entries(dropped.rows)
            .map(([table, n]) => `${table}: ${n} rows`)
            .join(', ')})`,
        );
        if (dropped.wasCurrent)
          log.warn(
            `it was the loaded export: load an export again (\`wuwei load\` or \`wuwei run\`) before scoring or reporting`,
          );
        return dropped;
      })(options, cmd);
    });

  command(program, 'report', 'build the report site from the database')
    .option('--site <dir>', 'site folder (default: site/ beside the database)')
    .option(
      '--show-personal-data',
      'let contact and employee names and e-mails into the site (default: ids and roles only)',
    )
    .option(
      '--serve',
      'preview the published site on http://127.0.0.1 until Ctrl-C (no build, no database: run `wuwei report` first)',
    )
    .option('--port <n>', 'port for --serve (default: any free port)', int, 0)
    .action(
      act(
        async (o, paths, config) => {
          // the preview reads the published files only: the nightly run may go on meanwhile
          if (o.serve) return previewSite(paths.site, o.port);
          return (await import('./stages.ts')).reportStage(paths, {
            log,
            showPersonalData: Boolean(o.showPersonalData) || config.report.showPersonalData,
            grades: config.grades,
          });
        },
        { lock: (o) => !o['serve'] },
      ),
    );

  sourceOptions(command(program, 'run', 'the nightly run: load, features, train when due, score, forecast, report'))
    .option('--retrain', 'train tonight whatever the retraining policy says')
    .option('--no-report', 'skip building the report site')
    .option('--as-of <date>', "the export's as-of date (default: the date in the export's as_of.txt, else today)")
    .option(
      '--max-reject-rate <rate>',
      "fail the load when more than this share of an entity's rows is rejected, e.g. 5% or 0.05 (default: the mapping's max_reject_share, else load.maxRejectShare in the config, else 5%)",
      rate,
    )
    .option('--seed <n>', "random seed for training (default: the config's models.seed, else 42)", int)
    .option('--output <dir>', 'folder for scores.csv (default: out/ beside the database)')
    .option('--site <dir>', 'site folder (default: site/ beside the database)')
    .action(
      act(async (o, paths, config, configFile) =>
        (await import('./run.ts')).runPipeline(paths, {
          ...sourceSelection(o, config),
          ...rejectRates(o, config),
          asOf: o.asOf,
          seed: o.seed,
          retrain: Boolean(o.retrain),
          report: o.report !== false,
          config,
          configFile,
          log,
        }),
      ),
    );

  command(program, 'demo', 'generate a synthetic CRM into data/demo and run the whole pipeline on it')
    .option('--opportunities <n>', 'number of opportunities', positiveInt, GENERATE_DEFAULTS.opportunities)
    .option('--seed <n>', 'random seed', int, GENERATE_DEFAULTS.seed)
    .action(
      act(async (o, paths, config, configFile) => {
        const [{ generateStage }, { runPipeline }] = await Promise.all([import('./stages.ts'), import('./run.ts')]);
        const source = join(resolve(o.db, '..'), 'demo');
        const generated = await generateStage({ out: source, opportunities: o.opportunities, seed: o.seed, log });
        const run = await runPipeline(paths, { source, asOf: generated.asOf, log, config, configFile });
        log.info(
          `demo done: scores in ${join(paths.out, 'scores.csv')}, site in ${paths.site}: \`npx wuwei report --serve${o.db === DEFAULT_DB ? '' : ` --db ${o.db}`}\` serves it on http://127.0.0.1 (any static file server works too)`,
        );
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
    .addOption(
      new Option('--db <file>', 'DuckDB file; models, outputs, site and run records sit beside it').default(DEFAULT_DB),
    )
    .option('--config <file>', 'configuration file (default: wuwei.config.yaml beside the database, if there)')
    .option('--json', 'print a machine-readable summary on stdout (logs stay on stderr)')
    .option(
      '--wait <seconds>',
      'if another run is using the database, wait this long for it instead of stopping',
      nonNegativeInt,
      0,
    )
    .exitOverride();
}

/** Where an export is and how to read it: shared by `load` and `run`. */
function sourceOptions(command: Command): Command {
  return command
    .option('--source <paths...>', 'export folder, or export files (default: sources.dir in the config)')
    .option('--layout <name>', `export layout: ${LAYOUT_NAMES.join(', ')}`)
    .option('--mapping <file>', 'mapping file (YAML or JSON) for any other export')
    .option('--reporting-currency <code>', 'currency amounts are converted to (default: the most common one)');
}

/** The command line's choice of export, else the config's. */
function sourceSelection(
  o: Record<string, any>,
  config: WuweiConfig,
): { source: string | string[]; layout?: string; mapping?: string; reportingCurrency?: string } {
  const source: string[] | undefined = o['source'] ?? (config.sources.dir ? [config.sources.dir] : undefined);
  if (!source) throw new WuweiError('bad_option', 'no export: pass --source DIR or set sources.dir in the config');
  const layout = o['layout'] ?? (o['mapping'] ? undefined : config.sources.layout);
  const mapping = o['mapping'] ?? (o['layout'] ? undefined : config.sources.mapping);
  return {
    source: source.length === 1 ? source[0]! : source,
    ...(layout ? { layout } : {}),
    ...(mapping ? { mapping } : {}),
    ...(o['reportingCurrency'] ? { reportingCurrency: o['reportingCurrency'] } : {}),
  };
}

/**
 * Wraps a stage so it runs alone against its database (see base/lock.ts) and its summary is printed as
 * JSON when asked. Commands that do not write the database pass `{ lock: false }`; those that do not open it
 * at all, `{ database: false }`.
 */
function act<O extends SharedOptions & Record<string, any>>(
  work: (options: O, paths: RunPaths, config: WuweiConfig, configFile: string | null) => Promise<unknown>,
  { lock = true, database = true }: { lock?: boolean | ((options: O) => boolean); database?: boolean } = {},
) {
  return async (options: O, command: Command) => {
    const { loadConfig } = await import('../config/config.ts');
    const { config, file } = loadConfig({ db: options.db, ...(options.config ? { file: options.config } : {}) });
    if (database) (await import('../base/db.ts')).useDatabaseSettings(config.duckdb); // DuckDB takes a while to load
    const out = options['output'] ?? config.output;
    const site = options['site'] ?? config.report.site;
    const paths = runPaths(options.db, { ...(out ? { out } : {}), ...(site ? { site } : {}) });
    const sources: string[] | undefined = options['source'] ?? (config.sources.dir ? [config.sources.dir] : undefined);
    checkWriteFolders(paths, { configFile: file, ...(sources ? { sources } : {}) });
    const held = (typeof lock === 'function' ? lock(options) : lock)
      ? await (await import('../base/lock.ts')).acquireRunLock(paths.db, {
          command: `wuwei ${command.name()}`,
          waitSeconds: options.wait,
          log,
        })
      : null;
    try {
      const summary = await work(options, paths, config, file);
      if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } finally {
      held?.release();
    }
  };
}

/** Serves the site until the process is interrupted. */
async function previewSite(siteDir: string, port: number): Promise<void> {
  const { serveSite } = await import('../../reports/serve.ts');
  const site = await serveSite(siteDir, port);
  log.info(`report: previewing ${siteDir} at ${site.url}/ (Ctrl-C to stop)`);
  await new Promise<void>((done) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void site.close().then(done));
  });
}

function reportError(error: unknown): number {
  const code = (error as { code?: string }).code;
  if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
  if (typeof code === 'string' && code.startsWith('commander.')) return 2; // commander already printed the message
  if (error instanceof WuweiError) {
    process.stderr.write(`wuwei: ${error.message}\n`);
    return 1;
  }
  const system = systemErrorMessage(error);
  if (system) {
    process.stderr.write(`wuwei: ${system}\n`);
    return 1;
  }
  process.stderr.write(
    `wuwei: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 70;
}

function int(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('not a whole number');
  return Number(value);
}

function nonNegativeInt(value: string): number {
  const n = int(value);
  if (n < 0) throw new InvalidArgumentError('must be 0 or more');
  return n;
}

function positiveInt(value: string): number {
  const n = int(value);
  if (n <= 0) throw new InvalidArgumentError('must be at least 1');
  return n;
}

function formats(value: string): WritebackFormat[] {
  const chosen = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const unknown = chosen.filter((part) => !(WRITEBACK_FORMATS as string[]).includes(part));
  if (unknown.length > 0 || chosen.length === 0)
    throw new InvalidArgumentError(`expected some of ${WRITEBACK_FORMATS.join(', ')}`);
  return chosen as WritebackFormat[];
}

/** The reject threshold from the command line and the config; the load puts the mapping's between them. */
function rejectRates(
  o: Record<string, any>,
  config: WuweiConfig,
): { maxRejectRate?: number; configMaxRejectRate?: number } {
  return {
    ...(o['maxRejectRate'] !== undefined ? { maxRejectRate: o['maxRejectRate'] as number } : {}),
    ...(config.load.maxRejectShare !== undefined ? { configMaxRejectRate: config.load.maxRejectShare } : {}),
  };
}

/** A share: '5%' or '0.05'. */
function rate(value: string): number {
  const percent = value.trim().endsWith('%');
  const n = Number(percent ? value.trim().slice(0, -1) : value);
  const share = percent ? n / 100 : n;
  if (value.trim() === '' || !Number.isFinite(share) || share < 0 || share > 1)
    throw new InvalidArgumentError('not a share between 0 and 1 (e.g. 0.05) or a percentage (e.g. 5%)');
  return share;
}

function isoDate(value: string): string {
  if (!isIsoDate(value)) throw new InvalidArgumentError('not a date YYYY-MM-DD');
  return value;
}
