/**
 * One real run (test/helpers/real-run.ts) and one site built from it in strict mode, shared by the
 * tests that only read them: made once per version of the code that makes them (a hash of pipeline/,
 * models/, reports/, these helpers and the lock file) under the temp folder, and reused by later test
 * files and later runs of the same code. Readers open the database read-only and never write into
 * the site. A run is made in a folder of its own and renamed into place when whole, so a killed run
 * leaves nothing that looks ready.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { quietLogger } from '../../pipeline/base/log.ts';
import { buildReport } from '../../reports/build.ts';
import { STRICT_ENV } from '../../reports/src/data/tables.ts';
import { createRealRun, type RealRun } from './real-run.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SOURCES = ['pipeline', 'models', 'reports', 'test/helpers/real-run.ts', 'test/helpers/cli.ts', 'test/helpers/shared-site.ts', 'package-lock.json'];
/** Framework's caches and built output are not source. */
const SKIPPED = new Set(['node_modules', '.observablehq', 'dist']);
const CACHE = join(tmpdir(), 'wuwei-test-cache');

export interface SharedSite {
  run: RealRun;
  /** The published site (a link into `site.versions/`), built with every loader in strict mode. */
  siteDir: string;
  pages: string[];
  /** Whether this call made the run (false: an earlier test file or run of the same code did). */
  made: boolean;
}

let shared: Promise<SharedSite> | undefined;

/** The JSON a page's loader wrote, as published in the site (`_file/data/<name>.<hash>.json`). */
export function publishedJson(siteDir: string, name: string): any {
  const dir = join(siteDir, '_file', 'data');
  const file = readdirSync(dir).find((entry) => entry.startsWith(`${name}.`) && entry.endsWith('.json'));
  if (!file) throw new Error(`no ${name} JSON in ${dir}`);
  return JSON.parse(readFileSync(join(dir, file), 'utf8'));
}

export function sharedRealSite(): Promise<SharedSite> {
  shared ??= makeOrReuse();
  return shared;
}

async function makeOrReuse(): Promise<SharedSite> {
  // one checkout's runs apart from another's (several worktrees share the temp folder)
  const checkout = createHash('sha256').update(ROOT).digest('hex').slice(0, 8);
  const name = `real-site-${checkout}-${sourceHash()}`;
  const dir = join(CACHE, name);
  const made = !existsSync(join(dir, 'site-pages.json'));
  if (made) {
    mkdirSync(CACHE, { recursive: true });
    for (const entry of readdirSync(CACHE)) {
      if (entry.startsWith(`real-site-${checkout}-`) && entry !== name) rmSync(join(CACHE, entry), { recursive: true, force: true });
    }
    const building = `${dir}.partial-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    const run = await createRealRun(building);
    const pages = await strictBuild(run.dbPath, join(building, 'data', 'site'));
    writeFileSync(join(building, 'site-pages.json'), JSON.stringify({ nights: run.nights, pages }));
    if (existsSync(dir)) rmSync(building, { recursive: true, force: true }); // another process finished first
    else renameSync(building, dir);
  }
  const { nights, pages } = JSON.parse(readFileSync(join(dir, 'site-pages.json'), 'utf8')) as { nights: [string, string]; pages: string[] };
  return { run: { dbPath: join(dir, 'data', 'wuwei.duckdb'), exportDir: join(dir, 'export'), nights }, siteDir: join(dir, 'data', 'site'), pages, made };
}

/** The Framework build with every loader in strict mode: a column a loader reads and the stages do not write fails it. */
async function strictBuild(dbPath: string, siteDir: string): Promise<string[]> {
  const before = process.env[STRICT_ENV];
  process.env[STRICT_ENV] = 'true';
  try {
    return (await buildReport({ dbPath, siteDir, log: quietLogger })).pages;
  } finally {
    if (before === undefined) delete process.env[STRICT_ENV];
    else process.env[STRICT_ENV] = before;
  }
}

/** A hash of every source file that makes the run or the site, by path and content. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const add = (path: string) => {
    const full = join(ROOT, path);
    if (!existsSync(full)) return;
    if (!statSync(full).isDirectory()) {
      hash.update(path).update('\0').update(readFileSync(full)).update('\0');
      return;
    }
    const entries = readdirSync(full).filter((entry) => !SKIPPED.has(entry)).sort();
    for (const entry of entries) add(relative(ROOT, join(full, entry)));
  };
  for (const source of SOURCES) add(source);
  return hash.digest('hex').slice(0, 16);
}
