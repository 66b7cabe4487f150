/**
 * The published site, end to end through the real CLI and a real Framework build:
 * - `wuwei report --site X` replaces only a folder Wuwei made (it holds `.wuwei-site`); a web root
 *   with its own index.html, files and folders is refused in one line and left byte-identical;
 * - the built pages link to files by name, so the site works on any plain static server;
 * - `wuwei report --serve` serves the published folder without building, without the database and
 *   without the run lock, answers a malformed URL with a 400 and goes on serving.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
  type Dirent,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireRunLock } from '../../pipeline/base/lock.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { checkSiteFolder, SITE_MARKER } from '../../pipeline/config/write-folders.ts';
import { WUWEI, wuwei } from '../helpers/cli.ts';
import { rawStatus } from '../helpers/raw-status.ts';
import { createReportFixture } from '../helpers/report-fixture.ts';
import { tempDir } from '../helpers/temp.ts';

const tmp = tempDir('wuwei-site-folder-');
const db = join(tmp.dir, 'data', 'wuwei.duckdb');
const site = join(tmp.dir, 'data', 'site');

beforeAll(async () => {
  await createReportFixture(db);
  const built = await wuwei(['report', '--db', db]);
  expect(built.stderr).not.toMatch(/unexpected failure/);
  expect(built.code).toBe(0);
}, 600_000);
afterAll(() => tmp.cleanup());

/** Every file and folder below `dir` with a hash of its bytes: equal before and after means untouched. */
function treeFingerprint(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      const what = entry.isFile()
        ? createHash('sha256').update(readFileSync(path)).digest('hex')
        : entry.isDirectory()
          ? 'dir'
          : 'other';
      return `${relative(dir, path)} ${what}`;
    })
    .sort();
}

describe('publishing replaces only a folder Wuwei made', () => {
  it('marks the site it publishes', () => {
    expect(lstatSync(site).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(site, SITE_MARKER), 'utf8'))).toMatchObject({ madeBy: 'wuwei', builtFrom: db });
  });

  it('refuses a web root with its own index.html, files and folders, in one line, and leaves it byte-identical', async () => {
    const webRoot = join(tmp.dir, 'www', 'html');
    mkdirSync(join(webRoot, 'blog'), { recursive: true });
    writeFileSync(join(webRoot, 'index.html'), '<h1>My homepage</h1>');
    writeFileSync(join(webRoot, 'important.txt'), 'the only copy');
    writeFileSync(join(webRoot, 'blog', 'post.html'), '<p>a post</p>');
    const before = treeFingerprint(join(tmp.dir, 'www'));
    const result = await wuwei(['report', '--db', db, '--site', webRoot]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `wuwei: site: ${webRoot} is a folder Wuwei did not make (it has other files and no ${SITE_MARKER}): publishing the report would replace it; give the site a new or empty folder`,
    ]);
    expect(treeFingerprint(join(tmp.dir, 'www'))).toEqual(before);
    expect(existsSync(`${webRoot}.versions`)).toBe(false);
  });

  it('refuses a link to a folder Wuwei did not make, and leaves the folder', async () => {
    const docs = join(tmp.dir, 'docs');
    mkdirSync(docs, { recursive: true });
    writeFileSync(join(docs, 'index.html'), 'docs');
    const link = join(tmp.dir, 'docs-link');
    symlinkSync(docs, link);
    const result = await wuwei(['report', '--db', db, '--site', link]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^wuwei: site: .*docs-link links to a folder Wuwei did not make/);
    expect(readdirSync(docs)).toEqual(['index.html']);
  });

  it('replaces its own site: the published link, and a plain folder holding the marker', async () => {
    expect(() => checkSiteFolder(site)).not.toThrow();
    const copy = join(tmp.dir, 'copied-site');
    cpSync(site, copy, { recursive: true, dereference: true });
    writeFileSync(join(copy, 'left-over.html'), 'from an older build');
    const result = await wuwei(['report', '--db', db, '--site', copy]);
    expect(result.stderr).not.toMatch(/unexpected failure/);
    expect(result.code).toBe(0);
    expect(lstatSync(copy).isSymbolicLink()).toBe(true);
    expect(existsSync(join(copy, 'index.html'))).toBe(true);
    expect(existsSync(join(copy, SITE_MARKER))).toBe(true);
    expect(existsSync(join(copy, 'left-over.html'))).toBe(false);
    expect(readdirSync(`${copy}.versions`)).toEqual([readlinkSync(copy).split('/').at(-1)]);
  }, 600_000);
});

describe('the built site on a plain static server', () => {
  it('links every page, script and data file by a name that exists in the site folder', () => {
    const root = resolve(site);
    const pages = readdirSync(root).filter((file) => file.endsWith('.html'));
    expect(pages.length).toBeGreaterThanOrEqual(8);
    const missing: string[] = [];
    let checked = 0;
    for (const page of pages) {
      const html = readFileSync(join(root, page), 'utf8');
      for (const [, link] of html.matchAll(/(?:href|src)="(\.{1,2}\/[^"#?]*)/g)) {
        checked++;
        if (!existsSync(join(dirname(join(root, page)), decodeURIComponent(link!)))) missing.push(`${page}: ${link}`);
      }
    }
    expect(checked).toBeGreaterThan(pages.length * 3);
    expect(missing).toEqual([]);
  });
});

describe('wuwei report --serve', () => {
  it('serves the published site while a run holds the lock and without the database; a malformed URL gets a 400', async () => {
    const held = await acquireRunLock(db, { command: 'wuwei run', waitSeconds: 0, log: quietLogger });
    const elsewhere = join(tmp.dir, 'no-database-here', 'wuwei.duckdb');
    const child = spawn(process.execPath, [WUWEI, 'report', '--serve', '--db', elsewhere, '--site', site], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const url = await new Promise<string>((done, fail) => {
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const found = stderr.match(/at (http:\/\/127\.0\.0\.1:\d+)\//);
          if (found) done(found[1]!);
        });
        child.on('exit', (code) => fail(new Error(`preview exited with ${code}: ${stderr}`)));
      });
      const forecast = await fetch(`${url}/forecast`);
      expect(forecast.status).toBe(200);
      expect(await forecast.text()).toMatch(/<title>Forecast/);
      expect(await rawStatus(url, '/%E0%A4%A')).toBe(400);
      expect(await rawStatus(url, `/${SITE_MARKER}`)).toBe(404);
      expect((await fetch(`${url}/forecast.html`)).status).toBe(200);
      expect(existsSync(elsewhere)).toBe(false);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
      held.release();
    }
    expect(
      await new Promise((done) => (child.exitCode !== null ? done(child.exitCode) : child.once('exit', done))),
    ).toBe(0);
  });

  it('says in one line to run `wuwei report` when nothing is published yet', async () => {
    const result = await wuwei(['report', '--serve', '--db', join(tmp.dir, 'fresh', 'wuwei.duckdb')]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `wuwei: no report site in ${join(tmp.dir, 'fresh', 'site')}: run \`wuwei report\` first`,
    ]);
  });
});
