/**
 * The report stage: builds the Observable Framework site in `reports/` from the run's DuckDB and
 * publishes it as a whole. Each build goes to its own folder under `<site>.versions/`; the site path
 * is a symbolic link that is switched to the new folder in one atomic rename only when the build
 * succeeded, so a failed or killed night leaves the last good site online, whole. A night whose site
 * inputs (page data, site sources, settings: site-fingerprint.ts) equal the published site's keeps
 * that site and does not run Framework.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WuweiError } from '../pipeline/base/errors.ts';
import type { Logger } from '../pipeline/base/log.ts';
import { acquireRunLock } from '../pipeline/base/lock.ts';
import { checkSiteFolder, markSite } from '../pipeline/config/write-folders.ts';
import { seedNpmVersionIndex } from './frameworkNpmVersions.ts';
import { computePageData, writePageData } from './page-data-cache.ts';
import { publishedFingerprint, siteFingerprint, writeFingerprint } from './site-fingerprint.ts';
import { writeVegaRuntime } from './vega-runtime.ts';
import { GRADES_ENV } from './src/data/gradeBands.ts';
import { PERSONAL_DATA_ENV } from './src/data/personalData.ts';
import type { GradeBands } from '../pipeline/config/config.ts';

export const DEFAULT_SITE_DIR = 'data/site';

/** The Framework project: config here, pages and loaders in `src/`. */
const REPORTS_DIR = dirname(fileURLToPath(import.meta.url));
const PROJECT_DIR = dirname(REPORTS_DIR);

/** Framework keeps loader output (and its node_modules bundles) here, under the source root. */
export const FRAMEWORK_CACHE = join(REPORTS_DIR, 'src', '.observablehq', 'cache');

/** A hung build (a loader waiting on a locked database, say) must not hold the nightly run forever. */
const BUILD_TIMEOUT_MS = 10 * 60 * 1000;

export interface BuildReportOptions {
  /** The run's DuckDB file, opened read-only by the data loaders. */
  dbPath: string;
  /** Where the site is published; default `data/site`. */
  siteDir?: string;
  /** Run records for the Data quality page; default `runs/` beside the database. */
  runsDir?: string;
  /** Contact and employee names and e-mails may appear in the site; default false: ids and roles only. */
  showPersonalData?: boolean;
  /** The configured grade bands, for the Deals page's legend; default the config's defaults. */
  grades?: GradeBands;
  log: Logger;
}

export interface ReportSummary {
  siteDir: string;
  /** The site's pages as URL paths: '/', '/accounts', '/data-quality', ... */
  pages: string[];
  /** 'site rebuilt', or 'site unchanged, kept' when the published site was made from the same inputs. */
  outcome: 'site rebuilt' | 'site unchanged, kept';
  seconds: number;
  /** Seconds each page's data took to compute, by loader name. */
  dataSeconds: Record<string, number>;
  /** Seconds the Framework build took; 0 when the site was kept. */
  frameworkSeconds: number;
}

export async function buildReport(options: BuildReportOptions): Promise<ReportSummary> {
  const start = performance.now();
  const dbPath = resolve(options.dbPath);
  const siteDir = resolve(options.siteDir ?? DEFAULT_SITE_DIR);
  if (!existsSync(dbPath))
    throw new WuweiError('report_failed', `cannot build the report: database not found: ${dbPath}`);
  checkSiteFolder(siteDir);

  const versions = `${siteDir}.versions`;
  mkdirSync(versions, { recursive: true }); // first: a folder that cannot be written stops the build before anything else
  options.log.info(
    `report: computing the pages' data from ${dbPath} (personal data ${options.showPersonalData ? 'shown' : 'withheld: ids and roles only'})`,
  );
  const settings: LoaderSettings = {
    dbPath,
    showPersonalData: options.showPersonalData ?? false,
    ...(options.grades ? { grades: options.grades } : {}),
    ...(options.runsDir ? { runsDir: resolve(options.runsDir) } : {}),
  };
  const environment = loaderEnvironment(settings);
  const pageData = await computePageData(dbPath, environment);
  const fingerprint = siteFingerprint(pageData.json, environment);
  let frameworkSeconds = 0;
  const done = (outcome: ReportSummary['outcome'], pages: string[]): ReportSummary => {
    const seconds = (performance.now() - start) / 1000;
    const what = outcome === 'site rebuilt' ? `${pages.length} pages published to` : 'site unchanged, kept at';
    options.log.info(`report: ${what} ${siteDir} in ${seconds.toFixed(1)} s`);
    return { siteDir, pages, outcome, seconds, dataSeconds: pageData.seconds, frameworkSeconds };
  };
  if (publishedFingerprint(siteDir) === fingerprint) {
    removeOtherBuilds(siteDir);
    return done('site unchanged, kept', sitePages(siteDir));
  }

  // One build at a time per checkout: every build writes its page data into the one Framework cache.
  const cacheLock = await acquireRunLock(join(dirname(FRAMEWORK_CACHE), 'build'), {
    command: `wuwei report (${dbPath})`,
    waitSeconds: BUILD_TIMEOUT_MS / 1000,
    log: options.log,
  });
  clearLoaderCache();
  seedNpmVersionIndex(FRAMEWORK_CACHE);
  const building = join(versions, `${new Date().toISOString().replaceAll(':', '-')}-${process.pid}`);
  let published = false;
  try {
    writePageData(pageData.json, FRAMEWORK_CACHE);
    const framework = performance.now(); // the charts' runtime counts as part of the site's build
    writeVegaRuntime(FRAMEWORK_CACHE);
    await runFrameworkBuild({ ...settings, outDir: building });
    frameworkSeconds = (performance.now() - framework) / 1000;
    const pages = sitePages(building);
    if (!pages.includes('/')) throw new WuweiError('report_failed', `report build made no index page in ${building}`);
    markSite(building, dbPath);
    writeFingerprint(building, fingerprint);
    checkSiteFolder(siteDir); // again: the folder may have changed during the build
    publish(building, siteDir);
    published = true;
    return done('site rebuilt', pages);
  } finally {
    cacheLock.release();
    if (!published) rmSync(building, { recursive: true, force: true });
  }
}

/** Cache folders named by package and version, holding no run data: kept between builds. */
const PACKAGE_CACHES = new Set(['_node', '_npm']);

/**
 * Framework serves a loader's cached output while it is newer than the loader script, whatever the
 * database says: drop it so every build queries the database again. The `_node` bundles of installed
 * packages (Framework's Inputs; named by version) and the `_npm` version index stay. The charts' vega
 * runtime is loader output like the page data: made again for every build (vega-runtime.ts).
 */
function clearLoaderCache(): void {
  for (const cache of [FRAMEWORK_CACHE, join(REPORTS_DIR, '.observablehq', 'cache')]) {
    if (!existsSync(cache)) continue;
    for (const entry of readdirSync(cache)) {
      if (!PACKAGE_CACHES.has(entry)) rmSync(join(cache, entry), { recursive: true, force: true });
    }
  }
}

interface LoaderSettings {
  dbPath: string;
  showPersonalData: boolean;
  grades?: GradeBands;
  runsDir?: string;
}

/** What the data loaders read from the environment, wherever they run. */
function loaderEnvironment(options: LoaderSettings): Record<string, string> {
  return {
    WUWEI_DB: options.dbPath,
    // Set either way, so a value left in the caller's environment cannot turn personal data on.
    [PERSONAL_DATA_ENV]: options.showPersonalData ? 'true' : 'false',
    WUWEI_RUNS: options.runsDir ?? '',
    // Set either way (empty: the defaults), so a value left in the caller's environment is not read.
    [GRADES_ENV]: options.grades ? JSON.stringify(options.grades) : '',
  };
}

async function runFrameworkBuild(options: LoaderSettings & { outDir: string }): Promise<void> {
  const stdout = new OutputTail(8);
  const stderr = new OutputTail(30);
  const child = spawn(process.execPath, [frameworkCli(), 'build'], {
    cwd: REPORTS_DIR,
    env: {
      ...process.env,
      OBSERVABLE_TELEMETRY_DISABLE: 'true',
      ...loaderEnvironment(options),
      WUWEI_SITE_OUT: options.outDir,
      // Framework runs `.ts` loaders with a `tsx` it looks up on PATH.
      PATH: [join(PROJECT_DIR, 'node_modules', '.bin'), process.env['PATH'] ?? ''].join(delimiter),
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const timer = setTimeout(() => child.kill('SIGTERM'), BUILD_TIMEOUT_MS);
  const code = await new Promise<number | null>((done, fail) => {
    child.on('error', fail);
    child.on('close', (exitCode, signal) => done(signal ? null : exitCode));
  }).finally(() => clearTimeout(timer));
  if (code !== 0) {
    const how = code === null ? 'was stopped (timeout or signal)' : `exited with code ${code}`;
    // Loaders log to stderr (inherited by Framework); Framework names the failing step on stdout.
    throw new WuweiError(
      'report_failed',
      `report build ${how}.\nstderr:\n${stderr.text() || '(empty)'}\nlast output:\n${stdout.text()}`,
    );
  }
}

function frameworkCli(): string {
  const manifest = createRequire(import.meta.url).resolve('@observablehq/framework/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(manifest), bin['observable'] ?? 'dist/bin/observable.js');
}

/** The built pages as URL paths, from the HTML files at the top of the site. */
function sitePages(siteDir: string): string[] {
  if (!existsSync(siteDir)) return [];
  return readdirSync(siteDir)
    .filter((file) => file.endsWith('.html') && file !== '404.html')
    .map((file) => (file === 'index.html' ? '/' : `/${basename(file, '.html')}`))
    .sort((a, b) => (a === '/' ? -1 : b === '/' ? 1 : a.localeCompare(b)));
}

/**
 * Points the site link at the new build with one rename (atomic: readers see the old site or the
 * new one, never a mix or nothing), then removes the builds nothing points at, including those of
 * killed runs.
 */
function publish(built: string, siteDir: string): void {
  try {
    if (existsSync(siteDir) && !lstatSync(siteDir).isSymbolicLink()) {
      // a site published as a plain folder by an older version: moved under the versions once
      renameSync(siteDir, join(`${siteDir}.versions`, 'previous-folder'));
    }
    const link = `${siteDir}.link-${process.pid}`;
    rmSync(link, { force: true });
    symlinkSync(join(basename(`${siteDir}.versions`), basename(built)), link, 'dir'); // relative: the data folder can move
    renameSync(link, siteDir);
  } catch (error) {
    throw new WuweiError(
      'report_failed',
      `could not publish the report to ${siteDir}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  removeOtherBuilds(siteDir);
}

/** Removes the builds the site link does not point at: older sites, and what killed runs left. */
function removeOtherBuilds(siteDir: string): void {
  if (!lstatSync(siteDir).isSymbolicLink()) return;
  const current = basename(readlinkSync(siteDir));
  for (const entry of readdirSync(`${siteDir}.versions`)) {
    if (entry !== current) rmSync(join(`${siteDir}.versions`, entry), { recursive: true, force: true });
  }
}

/** The last lines a child process wrote, for an error message that shows why a build failed. */
class OutputTail {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly keep: number) {}

  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
  }

  text(): string {
    return [...this.lines, this.partial].join('\n').replace(ANSI_COLOUR, '').trim();
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: Framework colours its output even with NO_COLOR.
const ANSI_COLOUR = /\u001b\[[0-9;]*m/g;
