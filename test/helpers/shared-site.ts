/**
 * One real run (test/helpers/real-run.ts) and one site built from it in strict mode, shared by the
 * tests that only read them and made once per version of the code that makes them: the run is kept
 * under the temp folder by a hash of pipeline/, models/, its helpers and the lock file; the site
 * beside it by a hash of reports/ as well (a page edit rebuilds the site, not the run). Later test
 * files and later test runs of the same code reuse them. Readers open the database read-only and
 * never write into the site. Each is made in a folder of its own and renamed into place when whole,
 * so a killed run leaves nothing that looks ready.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quietLogger } from '../../pipeline/base/log.ts';
import { eachSourceFile } from '../../pipeline/base/source-files.ts';
import { buildReport } from '../../reports/build.ts';
import { STRICT_ENV } from '../../reports/src/data/tables.ts';
import { createRealRun, type RealRun } from './real-run.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const RUN_SOURCES = ['pipeline', 'models', 'test/helpers/real-run.ts', 'test/helpers/cli.ts', 'package-lock.json'];
const SITE_SOURCES = ['reports', 'test/helpers/shared-site.ts'];
const CACHE = join(tmpdir(), 'wuwei-test-cache');

export interface SharedSite {
  run: RealRun;
  /** The published site (a link into `site.versions/`), built with every loader in strict mode. */
  siteDir: string;
  pages: string[];
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
  const runDir = await once(join(CACHE, `real-run-${checkout}-${sourceHash(RUN_SOURCES)}`), async (dir) => {
    const run = await createRealRun(dir);
    writeFileSync(join(dir, 'nights.json'), JSON.stringify(run.nights));
  });
  const nights = JSON.parse(readFileSync(join(runDir, 'nights.json'), 'utf8')) as [string, string];
  const run: RealRun = { dbPath: join(runDir, 'data', 'wuwei.duckdb'), exportDir: join(runDir, 'export'), nights };
  const siteRoot = await once(join(runDir, `site-${sourceHash(SITE_SOURCES)}`), async (dir) => {
    const pages = await strictBuild(run.dbPath, join(dir, 'site'));
    writeFileSync(join(dir, 'pages.json'), JSON.stringify(pages));
  });
  const pages = JSON.parse(readFileSync(join(siteRoot, 'pages.json'), 'utf8')) as string[];
  return { run, siteDir: join(siteRoot, 'site'), pages };
}

/**
 * The folder `dir`, made by `make` in a folder of its own and renamed into place when whole, unless
 * it is there already; older versions beside it (same name up to the hash) are removed.
 */
async function once(dir: string, make: (dir: string) => Promise<void>): Promise<string> {
  if (existsSync(dir)) return dir;
  const parent = join(dir, '..');
  const family = dir.slice(parent.length + 1).replace(/[0-9a-f]+$/, '');
  mkdirSync(parent, { recursive: true });
  for (const entry of readdirSync(parent)) {
    const older = entry.startsWith(family) && !entry.includes('.partial-');
    if (older) rmSync(join(parent, entry), { recursive: true, force: true });
  }
  const building = `${dir}.partial-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  try {
    await make(building);
    if (!existsSync(dir)) renameSync(building, dir); // else another process finished first: use its copy
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

/** The Framework build with every loader in strict mode: a column a loader reads and no stage writes fails it. */
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

/** A hash of the source files (and folders) given, by path and content. */
function sourceHash(sources: string[]): string {
  const hash = createHash('sha256');
  eachSourceFile(ROOT, sources, (path, content) => hash.update(path).update('\0').update(content).update('\0'));
  return hash.digest('hex').slice(0, 16);
}
