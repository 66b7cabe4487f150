/** The built-in layouts' names: `canonical` and one per mapping file in `layouts/` (cheap to read for the CLI's help). */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const LAYOUT_DIR = fileURLToPath(new URL('./layouts/', import.meta.url));

export const LAYOUT_NAMES = [
  'canonical',
  ...readdirSync(LAYOUT_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort(),
];
