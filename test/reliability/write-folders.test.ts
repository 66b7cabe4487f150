/**
 * Paths in the config stay where they are meant to: a relative output or site folder cannot climb
 * out of the config file's folder, and no config or option can make the report's publish (which
 * replaces the site folder) land on the database, the config, an export, another output, the root
 * or the home folder. Each is one line from the real CLI, and nothing is written or removed.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../pipeline/config/config.ts';
import { runPaths } from '../../pipeline/config/paths.ts';
import { checkWriteFolders } from '../../pipeline/config/write-folders.ts';
import { wuweiInProcess as cli } from '../helpers/cli.ts';
import { errorOf } from '../helpers/error-of.ts';
import { tempDir } from '../helpers/temp.ts';

const tmp = tempDir('wuwei-write-folders-');
afterAll(() => tmp.cleanup());

/** A data folder with a config file (YAML text) beside an (empty) database file. */
function dataFolder(name: string, config: string): { dir: string; db: string; file: string } {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'wuwei.duckdb');
  writeFileSync(db, '');
  const file = join(dir, 'wuwei.config.yaml');
  writeFileSync(file, config);
  return { dir, db, file };
}

describe('write folders from the config', () => {
  it('keeps relative output and site folders below the config file, and takes absolute ones as given', () => {
    const inside = dataFolder('inside', 'output: exports/out\nreport:\n  site: reports/site\n');
    const { config } = loadConfig({ db: inside.db });
    expect(config.output).toBe(join(inside.dir, 'exports', 'out'));
    expect(config.report.site).toBe(join(inside.dir, 'reports', 'site'));

    const absolute = dataFolder('absolute', `output: ${join(tmp.dir, 'shared-out')}\n`);
    expect(loadConfig({ db: absolute.db }).config.output).toBe(join(tmp.dir, 'shared-out'));
  });

  it.each([
    ['output', 'output: ../../etc/x\n', /output: '\.\.\/\.\.\/etc\/x' leaves the config file's folder/],
    [
      'report.site',
      'report:\n  site: ../elsewhere\n',
      /report\.site: '\.\.\/elsewhere' leaves the config file's folder/,
    ],
  ])('refuses a relative %s that climbs out of the config folder', (_key, yaml, message) => {
    const folder = dataFolder(`climb-${_key}`, yaml);
    expect(errorOf(() => loadConfig({ db: folder.db })).message).toMatch(message);
  });

  it('refuses a write-back file name instead of a format (the names of the files are fixed)', () => {
    expect(errorOf(() => parseConfig({ writeback: { formats: ['../../etc/passwd'] } })).message).toMatch(
      /^config: writeback\.formats\[0\]: /,
    );
  });

  it('refuses a site that is, or holds, what Wuwei reads or keeps, or the root or home folder', () => {
    const db = join(tmp.dir, 'keep', 'data', 'wuwei.duckdb');
    const check = (site: string, protect: Parameters<typeof checkWriteFolders>[1] = {}) =>
      errorOf(() => checkWriteFolders(runPaths(db, { site }), protect)).message;
    expect(check(join(tmp.dir, 'keep', 'data'))).toMatch(/^site: .*holds the database/);
    expect(check(join(tmp.dir, 'keep'))).toMatch(/^site: .*holds the database/);
    expect(check(join(tmp.dir, 'keep', 'data', 'out'))).toMatch(/^site: .*holds the output folder/);
    expect(check(join(tmp.dir, 'exports'), { sources: [join(tmp.dir, 'exports', 'tonight')] })).toMatch(
      /holds the export/,
    );
    expect(check(join(tmp.dir, 'cfg'), { configFile: join(tmp.dir, 'cfg', 'wuwei.config.yaml') })).toMatch(
      /holds the config file/,
    );
    expect(check('/')).toMatch(/^site: \/ is the root folder/);
    expect(check(homedir())).toMatch(/is the home folder/);
    expect(errorOf(() => checkWriteFolders(runPaths(db, { out: '/' }))).message).toMatch(
      /^output: \/ is the root folder/,
    );
    // its own folder (new, empty, or a site published before) is fine
    expect(() => checkWriteFolders(runPaths(db, { site: join(tmp.dir, 'keep', 'site') }))).not.toThrow();
  });

  it('stops the real CLI before writing: a config whose site is the data folder leaves the database and the folder as they were', async () => {
    const folder = dataFolder('cli-site-dot', 'report:\n  site: .\n');
    const before = readdirSync(folder.dir).sort();
    const result = await cli(['report', '--db', folder.db]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `wuwei: site: ${folder.dir} holds the database (${folder.db}): publishing the report replaces the site folder; give the site a folder of its own`,
    );
    expect(result.output).not.toMatch(/^\s+at /m);
    expect(readdirSync(folder.dir).sort()).toEqual(before);
    expect(existsSync(`${folder.dir}.versions`)).toBe(false);
  });

  it('refuses --site on a folder of other files (publishing would replace it) and leaves them', async () => {
    const folder = dataFolder('cli-site-docs', '');
    const documents = join(tmp.dir, 'documents');
    mkdirSync(documents, { recursive: true });
    writeFileSync(join(documents, 'letter.txt'), 'keep me');
    const result = await cli(['report', '--db', folder.db, '--site', documents]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^wuwei: site: .*documents is a folder Wuwei did not make \(it has other files and no \.wuwei-site\)/,
    );
    expect(readdirSync(documents)).toEqual(['letter.txt']);
  });
});
