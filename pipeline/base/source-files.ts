/**
 * The source files below a folder, for hashes that say "built from this version of the code": the
 * report's site fingerprint and the tests' shared run and site.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Installed packages, Framework's caches and built output: never source. */
const NOT_SOURCE = new Set(['node_modules', '.observablehq', 'dist']);

/**
 * Calls `add` with each file of `paths` (files or folders, relative to `root`; missing ones are
 * skipped), by its path relative to `root` and its content, folders walked in sorted order.
 */
export function eachSourceFile(root: string, paths: string[], add: (path: string, content: Buffer) => void): void {
  const visit = (path: string) => {
    const full = join(root, path);
    if (!existsSync(full)) return;
    if (!statSync(full).isDirectory()) {
      add(path, readFileSync(full));
      return;
    }
    for (const entry of readdirSync(full).sort()) if (!NOT_SOURCE.has(entry)) visit(relative(root, join(full, entry)));
  };
  for (const path of paths) visit(path);
}
