/**
 * Renders a Vega-Lite spec in the page: vega-lite compiles it to Vega, vega draws SVG. Both are bare
 * imports bundled by Framework from node_modules, so a page needs no CDN. Not pure: touches the DOM.
 * Imports between components use `.js`: Framework serves `.ts` modules under that name.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The container class and states the browser checks wait for. */
export const CHART_CLASS = 'wuwei-chart';

export async function vegaChart(spec: TopLevelSpec): Promise<HTMLElement> {
  const container = document.createElement('div');
  container.className = CHART_CLASS;
  container.dataset['state'] = 'rendering';
  try {
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
