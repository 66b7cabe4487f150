/**
 * What a built site is made of, as one hash: the pages' data as the report stage computed it, the
 * site's sources (pages, components, the Framework config, this folder's build code), the versions
 * of the packages the build bundles, and the settings the loaders read. Stored in each build; a night
 * whose fingerprint equals the published site's keeps that site instead of running Framework again.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eachSourceFile } from '../pipeline/base/source-files.ts';

const REPORTS_DIR = dirname(fileURLToPath(import.meta.url));
/** The lock file pins Framework and every package a page bundles (vega, vega-lite, Plot, d3). */
const LOCK_FILE = join(dirname(REPORTS_DIR), 'package-lock.json');

/** Written into each build beside the site marker. */
export const FINGERPRINT_FILE = '.wuwei-site-fingerprint';

/** The fingerprint of a site built from these page data (name to JSON) with these loader settings. */
export function siteFingerprint(pageData: Map<string, string>, settings: Record<string, string>): string {
  const hash = createHash('sha256');
  const part = (label: string, content: string | Buffer) =>
    hash.update(label).update('\0').update(content).update('\0');
  for (const name of [...pageData.keys()].sort())
    part(`data/${name}`, JSON.stringify(JSON.parse(pageData.get(name)!), steady));
  for (const key of Object.keys(settings).sort()) part(`env/${key}`, settings[key]!);
  eachSourceFile(REPORTS_DIR, ['.'], (path, content) => part(`src/${path}`, content));
  if (existsSync(LOCK_FILE)) part('package-lock.json', readFileSync(LOCK_FILE));
  return hash.digest('hex');
}

/**
 * DuckDB sums doubles on several threads in whatever order they finish, so the same data can give
 * sums that differ in the last bits from one night to the next: numbers count to 12 significant
 * digits, far below anything a page shows.
 */
function steady(_key: string, value: unknown): unknown {
  return typeof value === 'number' && Number.isFinite(value) ? Number(value.toPrecision(12)) : value;
}

export function writeFingerprint(siteFolder: string, fingerprint: string): void {
  writeFileSync(join(siteFolder, FINGERPRINT_FILE), `${fingerprint}\n`);
}

/**
 * The fingerprint the published site was built with; null when it has none, no index page, or is not
 * the link Wuwei publishes (a plain folder, as an older version or a copy left it, is rebuilt and replaced).
 */
export function publishedFingerprint(siteDir: string): string | null {
  try {
    if (!lstatSync(siteDir).isSymbolicLink() || !existsSync(join(siteDir, 'index.html'))) return null;
    return readFileSync(join(siteDir, FINGERPRINT_FILE), 'utf8').trim() || null;
  } catch {
    return null;
  }
}
