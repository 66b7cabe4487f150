/**
 * The folders Wuwei writes to stay where they are meant to. Outputs only add files of fixed names,
 * but publishing the report replaces the site folder (an existing plain folder is moved aside and
 * deleted), so a site that is, or holds, the database, the config, an export or another output
 * would destroy it. One clear line instead, before anything is written.
 */
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, parse, relative, resolve, sep } from 'node:path';
import { WuweiError } from './errors.ts';
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
    throw new WuweiError('bad_option', `${key}: '${path}' leaves the config file's folder (${base}); give a folder below it, or an absolute path if that is really meant`);
  }
  return resolved;
}

/** Refuses write folders that would overwrite or delete what Wuwei reads or keeps. */
export function checkWriteFolders(paths: RunPaths, protect: { configFile?: string | null; sources?: string[] } = {}): void {
  const folders: [string, string][] = [['output', paths.out], ['site', paths.site], ['models', paths.models], ['runs', paths.runs]];
  for (const [key, folder] of folders) {
    if (parse(folder).root === folder || folder === homedir()) {
      throw new WuweiError('bad_option', `${key}: ${folder} is ${folder === homedir() ? 'the home folder' : 'the root folder'}: Wuwei needs a folder of its own to write to`);
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
      throw new WuweiError('bad_option', `site: ${paths.site} holds ${what} (${path}): publishing the report replaces the site folder; give the site a folder of its own`);
    }
  }
  if (existsSync(paths.site) && lstatSync(paths.site).isDirectory()) {
    const entries = readdirSync(paths.site);
    if (entries.length > 0 && !entries.includes('index.html')) {
      throw new WuweiError('bad_option', `site: ${paths.site} is a folder with other files in it (not a Wuwei site): publishing the report would replace it; give the site a new folder`);
    }
  }
}

/** `path` is `folder` or below it. */
function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
