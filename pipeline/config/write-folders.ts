/**
 * The folders Wuwei writes to stay where they are meant to. Outputs only add files of fixed names,
 * but publishing the report replaces the site folder (an existing plain folder is moved aside and
 * deleted), so a site that is, or holds, the database, the config, an export or another output
 * would destroy it, and so would any folder Wuwei did not make. One clear line instead, before
 * anything is written.
 */
import { existsSync, lstatSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path';
import { WuweiError } from '../base/errors.ts';
import type { RunPaths } from './paths.ts';

/**
 * A write folder given as a relative path in the config file: it must stay below the file's folder
 * (`out`, `reports/site`), so a stray `../../etc/x` cannot reach elsewhere. An absolute path is an
 * explicit choice and is taken as given (checked by `checkWriteFolders`).
 */
export function configWriteFolder(base: string, path: string, key: string): string {
  if (isAbsolute(path)) return path;
  const resolved = resolve(base, path);
  if (!isInside(resolved, base)) {
    throw new WuweiError(
      'bad_option',
      `${key}: '${path}' leaves the config file's folder (${base}); give a folder below it, or an absolute path if that is really meant`,
    );
  }
  return resolved;
}

/** Refuses write folders that would overwrite or delete what Wuwei reads or keeps. */
export function checkWriteFolders(
  paths: RunPaths,
  protect: { configFile?: string | null; sources?: string[] } = {},
): void {
  const folders: [string, string][] = [
    ['output', paths.out],
    ['site', paths.site],
    ['models', paths.models],
    ['runs', paths.runs],
  ];
  for (const [key, folder] of folders) {
    if (parse(folder).root === folder || folder === homedir()) {
      throw new WuweiError(
        'bad_option',
        `${key}: ${folder} is ${folder === homedir() ? 'the home folder' : 'the root folder'}: Wuwei needs a folder of its own to write to`,
      );
    }
  }
  const kept: [string, string][] = [
    ['the database', paths.db],
    ['the output folder', paths.out],
    ['the models', paths.models],
    ['the run records', paths.runs],
    ...(protect.configFile ? ([['the config file', protect.configFile]] as [string, string][]) : []),
    ...(protect.sources ?? []).map((source): [string, string] => ['the export', resolve(source)]),
  ];
  for (const [what, path] of kept) {
    if (isInside(path, paths.site)) {
      throw new WuweiError(
        'bad_option',
        `site: ${paths.site} holds ${what} (${path}): publishing the report replaces the site folder; give the site a folder of its own`,
      );
    }
  }
  checkSiteFolder(paths.site);
}

/** Written into every site Wuwei publishes: only a folder holding it may be replaced. */
export const SITE_MARKER = '.wuwei-site';

/** Marks a built site as Wuwei's own, so a later publish may replace it. */
export function markSite(folder: string, builtFrom: string): void {
  writeFileSync(
    join(folder, SITE_MARKER),
    `${JSON.stringify({ madeBy: 'wuwei', builtAt: new Date().toISOString(), builtFrom })}\n`,
  );
}

/**
 * Publishing replaces the site folder and deletes what was there, so it may only land on a folder
 * Wuwei made: missing, empty, holding the marker, or the link into `<site>.versions/` that every
 * publish makes (sites published before the marker existed). A web root with an index.html of its
 * own (`/var/www/html`, `~/public_html`) is refused untouched.
 */
export function checkSiteFolder(site: string): void {
  if (!existsSync(site) && !isLink(site)) return;
  const refuse = (why: string): never => {
    throw new WuweiError(
      'bad_option',
      `site: ${site} ${why}: publishing the report would replace it; give the site a new or empty folder`,
    );
  };
  if (isLink(site)) {
    const target = resolve(dirname(site), readlinkSync(site));
    if (isInside(target, `${site}.versions`) || !existsSync(target)) return;
    if (!statSync(target).isDirectory()) refuse(`links to a file (${target})`);
    if (!readdirSync(target).includes(SITE_MARKER))
      refuse(`links to a folder Wuwei did not make (${target} has no ${SITE_MARKER})`);
    return;
  }
  if (!lstatSync(site).isDirectory()) refuse('is a file');
  const entries = readdirSync(site);
  if (entries.length > 0 && !entries.includes(SITE_MARKER))
    refuse(`is a folder Wuwei did not make (it has other files and no ${SITE_MARKER})`);
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** `path` is `folder` or below it. */
function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
