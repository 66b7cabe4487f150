/**
 * The build stamp: which source files a dist/ build was compiled from and when the build started.
 * The bin runs dist/ only when no source file changed since, so a checkout never runs stale code.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const STAMP_FILE = 'build-stamp.json';

/**
 * Written last by the build. `inputs` are relative to the dist folder (as esbuild names them from
 * the project root, rebased), so a moved checkout keeps its build.
 * @param {string} distDir
 * @param {{ startedAt: number, inputs: string[] }} stamp
 */
export function writeStamp(distDir, stamp) {
  writeFileSync(join(distDir, STAMP_FILE), `${JSON.stringify(stamp, null, 1)}\n`);
}

/**
 * Whether dist/ was built from the sources as they are now: a stamp exists and every input still
 * exists and was last modified before that build started.
 * @param {string} distDir
 */
export function freshBuild(distDir) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(distDir, STAMP_FILE), 'utf8'));
  } catch {
    return false; // never built, or a build in progress (the stamp is written last)
  }
  if (!Number.isFinite(stamp?.startedAt) || !Array.isArray(stamp.inputs) || stamp.inputs.length === 0) return false;
  for (const input of stamp.inputs) {
    try {
      if (statSync(resolve(distDir, input)).mtimeMs >= stamp.startedAt) return false;
    } catch {
      return false;
    }
  }
  return true;
}
