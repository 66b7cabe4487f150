/**
 * Generated benchmark data, cached between runs: a size is generated once into the cache folder
 * and reused while its opportunity count and seed match, with the generation time remembered.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWuwei, type Measured } from './child-stage.ts';

export interface Dataset {
  dir: string;
  exportDir: string;
  opportunities: number;
  seed: number;
  generate: Omit<Measured, 'summary'> & { cached: boolean; summary: unknown };
}

const MARKER = 'bench-dataset.json';

export async function ensureDataset(cacheDir: string, opportunities: number, seed: number): Promise<Dataset> {
  const dir = join(cacheDir, `${opportunities}-seed${seed}`);
  const exportDir = join(dir, 'export');
  const marker = join(dir, MARKER);
  if (existsSync(marker)) {
    const saved = JSON.parse(readFileSync(marker, 'utf8')) as Dataset;
    if (saved.opportunities === opportunities && saved.seed === seed)
      return { ...saved, dir, exportDir, generate: { ...saved.generate, cached: true } };
  }
  rmSync(dir, { recursive: true, force: true });
  const generated = await runWuwei([
    'generate',
    '--out',
    exportDir,
    '--opportunities',
    String(opportunities),
    '--seed',
    String(seed),
  ]);
  const dataset: Dataset = { dir, exportDir, opportunities, seed, generate: { ...generated, cached: false } };
  writeFileSync(marker, `${JSON.stringify(dataset, null, 2)}\n`);
  return dataset;
}
