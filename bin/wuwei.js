#!/usr/bin/env node
// Runs the CLI compiled into dist/ (`npm run build`) when it is as new as every source file it was
// built from; else the TypeScript itself through tsx, slower to start but never stale.
import { fileURLToPath } from 'node:url';
import { freshBuild } from './dist-stamp.js';

const dist = new URL('../dist/', import.meta.url);
let main;
if (freshBuild(fileURLToPath(dist))) {
  process.setSourceMapsEnabled(true);
  ({ main } = await import(new URL('cli.js', dist).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../pipeline/commands/cli.ts'));
}
process.exitCode = await main(process.argv);
