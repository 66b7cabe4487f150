/**
 * The charts' runtime (reports/vega-runtime.ts) is one ES module the pages load as a file: it must
 * stand alone, with nothing left to resolve from node_modules, and draw a Vega-Lite spec.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { vegaRuntimeSource } from '../../reports/vega-runtime.ts';

const scratch = mkdtempSync(join(tmpdir(), 'wuwei-vega-runtime-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the vega runtime the charts load', () => {
  it('imports alone from a folder without node_modules and draws a Vega-Lite bar chart as SVG', async () => {
    const file = join(scratch, 'vegaRuntime.js');
    writeFileSync(file, vegaRuntimeSource());
    const runtime = await import(pathToFileURL(file).href);
    expect(Object.keys(runtime).sort()).toEqual(['View', 'compile', 'parse']);
    const spec = {
      data: {
        values: [
          { stage: 'Proposal', deals: 3 },
          { stage: 'Negotiation', deals: 5 },
          { stage: 'Won', deals: 2 },
        ],
      },
      mark: 'bar',
      encoding: { x: { field: 'stage', type: 'nominal' }, y: { field: 'deals', type: 'quantitative' } },
    };
    const view = new runtime.View(runtime.parse(runtime.compile(spec).spec), { renderer: 'none' });
    const svg: string = await view.toSVG();
    const bars = svg.match(/<g class="mark-rect role-mark marks"[^>]*>(.*?)<\/g>/)?.[1] ?? '';
    expect((bars.match(/<path/g) ?? []).length).toBe(3);
  });
});
