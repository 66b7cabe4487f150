/**
 * Rewrites the small committed vendor fixtures in test/fixtures/vendors/ (40 deals each) from the
 * same seeded org the end-to-end test writes at full size: `npx tsx test/load/vendors/write-fixtures.ts`.
 * Each folder's SOURCE.md (kept) cites the vendor documentation the shape follows.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorld } from './crm-world.ts';
import { VENDOR_SHAPES } from './write-vendor-exports.ts';

const root = join(import.meta.dirname, '..', '..', 'fixtures', 'vendors');
for (const shape of VENDOR_SHAPES) {
  const dir = join(root, shape.folder);
  // Everything but SOURCE.md is written anew.
  for (const entry of (() => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  })())
    if (entry !== 'SOURCE.md') rmSync(join(dir, entry), { recursive: true, force: true });
  shape.write(buildWorld({ deals: 40, seed: 3, stages: shape.stages }), dir);
  console.info(`wrote ${dir}`);
}
