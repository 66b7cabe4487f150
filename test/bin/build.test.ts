/**
 * The compiled CLI (bin/build.js into dist/): it runs the real stages with the files they read at
 * run time found beside the sources, and bin/wuwei.js trusts it only while no source is newer.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without declarations
import { freshBuild, writeStamp } from '../../bin/dist-stamp.js';
import { tempDir } from '../helpers/temp.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const OUT = join(ROOT, 'test', 'artifacts', `dist-${process.pid}`);
const temp = tempDir('wuwei-build-');

afterAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  temp.cleanup();
});

/**
 * One command through the compiled CLI's entry, as bin/wuwei.js calls it. Its last stderr line lists
 * the CommonJS modules it loaded (TensorFlow.js is one: ESM's imports of it go through require's cache).
 */
async function compiled(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const entry = pathToFileURL(join(OUT, 'cli.js')).href;
  const script = `const { main } = await import(${JSON.stringify(entry)}); process.exitCode = await main(process.argv);
    const { createRequire } = await import('node:module');
    process.stderr.write('\\n' + JSON.stringify(Object.keys(createRequire(process.cwd() + '/x.js').cache)));`;
  return run(process.execPath, ['--input-type=module', '-e', script, 'wuwei', ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
}

describe('the compiled CLI', () => {
  it('builds, and runs generate, load and features from dist with the .yaml and .sql files found', async () => {
    await run(process.execPath, [join(ROOT, 'bin', 'build.js'), '--outdir', OUT]);
    expect(freshBuild(OUT)).toBe(true);

    // the layout names are read from pipeline/load/mapping/layouts/*.yaml when the CLI starts
    const help = await compiled(['generate', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('export layout: canonical, dynamics, hubspot, salesforce'); // commander wraps long help

    const source = join(temp.dir, 'export');
    const db = join(temp.dir, 'w.duckdb');
    await compiled(['generate', '--out', source, '--opportunities', '300', '--seed', '3']);
    const load = await compiled(['load', '--db', db, '--source', source, '--json']);
    expect(JSON.parse(load.stdout).asOf).toBe('2026-06-30');
    // the load starts without the models' modules (TensorFlow.js took ~0.2 s of each load's start)
    const tensorflow = (run: { stderr: string }) =>
      (JSON.parse(run.stderr.trim().split('\n').at(-1)!) as string[]).filter((m) => m.includes('@tensorflow'));
    expect(tensorflow(load)).toEqual([]);
    // features reads its SQL models and data tests (pipeline/features/sql/) relative to the source
    const features = JSON.parse((await compiled(['features', '--db', db, '--json'])).stdout);
    expect(features.trainingRows).toBeGreaterThan(0);
    // the check can see TensorFlow.js: scoring (no model yet, so it stops) loads it
    expect(tensorflow(await compiled(['score', '--db', db]).catch((failed) => failed)).length).toBeGreaterThan(0);
  });
});

describe('freshBuild', () => {
  const dist = join(temp.dir, 'dist');
  const input = join(temp.dir, 'source.ts');
  mkdirSync(dist, { recursive: true });

  it('trusts a build only while every input is older than its start', () => {
    expect(freshBuild(dist)).toBe(false); // no stamp: never built, or a build under way

    writeFileSync(input, 'export {};\n');
    const past = new Date(Date.now() - 60_000);
    utimesSync(input, past, past);
    writeStamp(dist, { startedAt: Date.now(), inputs: ['../source.ts'] });
    expect(freshBuild(dist)).toBe(true);

    const future = new Date(Date.now() + 60_000);
    utimesSync(input, future, future); // edited after the build
    expect(freshBuild(dist)).toBe(false);

    writeStamp(dist, { startedAt: Date.now() + 120_000, inputs: ['../source.ts', '../gone.ts'] });
    expect(freshBuild(dist)).toBe(false); // an input removed since
  });
});
