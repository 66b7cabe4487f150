/**
 * Framework 1.13 bundles its client with `npm:` specifiers (react-dom for JSX, d3-dsv for CSV files,
 * Plot, Arrow, ... for its implicit globals) and looks up their versions on registry.npmjs.org unless
 * its version index, the folder names under `<cache>/_npm`, already lists one. Our pages use none of
 * them, but without the index an offline build fails (`fetch failed`). Writing the index beforehand
 * makes the build need no network at all; the packages themselves are never downloaded.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** What Framework 1.13.4 resolved from the registry here (only the names matter: any version satisfies "latest"). */
export const FRAMEWORK_CLIENT_NPM_VERSIONS = [
  '@observablehq/plot@0.6.17',
  '@observablehq/sample-datasets@1.0.1',
  'apache-arrow@21.2.0',
  'arquero@8.0.3',
  'd3-dsv@3.0.2',
  'd3@7.9.2',
  'echarts@6.1.0',
  'htl@1.0.0',
  'leaflet@1.9.4',
  'lodash@4.18.1',
  'mapbox-gl@3.32.0',
  'parquet-wasm@0.8.0',
  'react-dom@19.3.1',
  'react@19.3.1',
  'topojson-client@3.1.0',
] as const;

export function seedNpmVersionIndex(cacheDir: string): void {
  for (const spec of FRAMEWORK_CLIENT_NPM_VERSIONS) mkdirSync(join(cacheDir, '_npm', spec), { recursive: true });
}
