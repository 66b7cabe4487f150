/**
 * The charts' runtime: vega and vega-lite bundled by esbuild into one ES module, which the pages load
 * as a file (`components/vegaRuntime.js`, see components/vegaChart.ts). Left to Framework, the bare
 * imports of vega and vega-lite become some fifty `_node/` modules: bundled with Rollup on a build
 * without that cache (about 6 s of CPU), then parsed three times with acorn on every build (about
 * 3 s). esbuild makes the one file from node_modules in a fraction of a second, so it is made on
 * every build: it can never be older than the installed packages.
 */
import { buildSync } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPORTS_DIR = dirname(fileURLToPath(import.meta.url));

/** Where the pages find the runtime, relative to the source root: the output of `vegaRuntime.js.ts`. */
export const VEGA_RUNTIME_FILE = join('components', 'vegaRuntime.js');

/** What components/vegaChart.ts calls: the Vega-Lite compiler, and Vega's parser and view. */
const ENTRY = "export { parse, View } from 'vega';\nexport { compile } from 'vega-lite';\n";

/** The runtime's source: one minified ES module for the browsers Framework targets, no imports left. */
export function vegaRuntimeSource(): string {
  // buildSync runs esbuild as a child process that is waited for, so its CPU counts as the report's
  const result = buildSync({
    stdin: { contents: ENTRY, resolveDir: REPORTS_DIR, loader: 'js', sourcefile: 'vega-runtime-entry.js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome96', 'firefox96', 'safari16'],
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Writes the runtime where Framework keeps its loader's output, so the build runs no loader for it. */
export function writeVegaRuntime(cacheDir: string): void {
  const path = join(cacheDir, VEGA_RUNTIME_FILE);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, vegaRuntimeSource());
}
