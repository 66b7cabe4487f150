/**
 * Renders a Vega-Lite spec in the page: vega-lite compiles it to Vega, vega draws SVG. Both come from
 * one ES module the report stage bundles from node_modules (vegaRuntime.js, reports/vega-runtime.ts),
 * loaded once per page as a file, so a page needs no CDN and Framework does not bundle or parse vega.
 * Not pure: touches the DOM. Imports between components use `.js`: Framework serves `.ts` modules
 * under that name.
 */
import { FileAttachment } from 'observablehq:stdlib';
import type { parse, View } from 'vega';
import type { compile, TopLevelSpec } from 'vega-lite';

/** The container class and states the browser checks wait for. */
export const CHART_CLASS = 'wuwei-chart';

interface VegaRuntime {
  parse: typeof parse;
  View: typeof View;
  compile: typeof compile;
}

let runtime: Promise<VegaRuntime> | undefined;

/** The runtime module, imported by its absolute address (a relative one would resolve against this module's). */
function vegaRuntime(): Promise<VegaRuntime> {
  runtime ??= FileAttachment('./vegaRuntime.js')
    .url()
    .then((url) => import(new URL(url, document.baseURI).href) as Promise<VegaRuntime>);
  return runtime;
}

export async function vegaChart(spec: TopLevelSpec): Promise<HTMLElement> {
  const container = document.createElement('div');
  container.className = CHART_CLASS;
  container.dataset['state'] = 'rendering';
  try {
    const { parse, View, compile } = await vegaRuntime();
    const view = new View(parse(compile(spec).spec), { renderer: 'svg', container, hover: true });
    await view.runAsync();
    container.dataset['state'] = 'rendered';
  } catch (error) {
    container.dataset['state'] = 'failed';
    container.textContent = `This chart could not be drawn: ${error instanceof Error ? error.message : String(error)}`;
    console.error(error);
  }
  return container;
}
