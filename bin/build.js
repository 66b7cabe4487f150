#!/usr/bin/env node
/**
 * Compiles the CLI once into dist/ (`npm run build`, and `npm install` through `prepare`), so a
 * command does not compile TypeScript at each start. TypeScript stays the source: bin/wuwei.js
 * runs dist/ only while it is as new as every file it was built from (./dist-stamp.js).
 *
 *   node bin/build.js [--outdir DIR]   (default: dist/ at the project root)
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { writeStamp } from './dist-stamp.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const outIndex = process.argv.indexOf('--outdir');
const outdir = resolve(outIndex > 0 ? process.argv[outIndex + 1] : join(ROOT, 'dist'));

/**
 * Files the code reads at run time (.sql, .yaml, the report's Framework project) are found relative
 * to the module that reads them, through `import.meta.url`. In the bundle that URL is the chunk's
 * own: point it back at the source file, relative to dist/ so the checkout can move.
 */
const sourceRelativeUrls = {
  name: 'source-relative-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (/import\.meta\.(dirname|filename)\b/.test(text)) {
        throw new Error(`${relative(ROOT, args.path)}: use import.meta.url (the build rewrites only it)`);
      }
      const fromDist = relative(outdir, args.path).split('\\').join('/');
      const url = `new URL(${JSON.stringify(fromDist)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

// an install without esbuild (its binary failed to install) keeps running the sources through tsx
const esbuild = await import('esbuild').catch(() => null);
if (!esbuild) {
  process.stderr.write('wuwei build: esbuild is not installed; the CLI runs from the TypeScript sources (tsx)\n');
  process.exit(0);
}

const startedAt = Date.now();
rmSync(outdir, { recursive: true, force: true }); // the stamp goes first: a half-built dist never runs
mkdirSync(outdir, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: { cli: 'pipeline/commands/cli.ts' },
  outdir,
  bundle: true,
  splitting: true, // each command's dynamic import becomes its own chunk, loaded only when it runs
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  plugins: [sourceRelativeUrls],
});
const inputs = Object.keys(result.metafile.inputs).map((input) =>
  relative(outdir, resolve(ROOT, input)).split('\\').join('/'),
);
writeStamp(outdir, { startedAt, inputs: [...inputs, relative(outdir, join(ROOT, 'package.json'))] });
process.stdout.write(`built ${relative(process.cwd(), outdir) || '.'}/ from ${inputs.length} source files\n`);
