/**
 * Opens a built report site in headless Debian Chromium and says what a reader would see: the SVG
 * marks each chart drew, console errors, and any request that tried to leave the machine (those are
 * aborted, so a page that needs the internet shows it here instead of hanging).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serveSite } from '../../reports/serve.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags that work on these machines (see STACK-NOTES); the user-data-dir is a fresh temp folder. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The class `reports/src/components/vegaChart.ts` gives every chart container, and its data-state. */
const CHART_SELECTOR = '.wuwei-chart';

export interface ChartCheck {
  /** 'rendered' | 'failed' | 'rendering' (still drawing when the wait ran out). */
  state: string;
  /** Items of Vega data marks (bars, lines, points, ticks) in the chart's SVG; axes and legends excluded. */
  marks: number;
  /** The chart's accessible description (Vega puts the spec's `description` on the container as aria-label). */
  description: string | null;
}

export interface PageCheck {
  /** The page as asked for: '/', '/forecast', ... */
  path: string;
  url: string;
  charts: ChartCheck[];
  /** Sum of `charts[].marks`: SVG marks inside chart containers. */
  svgMarks: number;
  /** Panels that say their data is not available in this run (`.wuwei-not-available`), by text. */
  notAvailable: string[];
  consoleErrors: string[];
  /** Requests to anything but the local server (aborted). */
  externalRequests: string[];
  /** Every `[data-figure]` element's text by figure name: the same figure on two pages must read the same. */
  figures: Record<string, string[]>;
  /**
   * What a reader cannot read whole (cutOrOverlapping): the page wider than the window, an element
   * of the main content wider than its box (a cut column, a chart sticking out), a column header
   * abbreviated with an ellipsis, a chart label Vega cut short, axis labels drawn over each other.
   */
  overflow: string[];
  screenshot: string;
}

export interface CheckSiteOptions {
  screenshotDir: string;
  /** Added to each screenshot's file name, e.g. '-full' for a second build of the same pages. */
  screenshotSuffix?: string;
  /** Per page: how long to wait for the charts to finish. */
  timeoutMs?: number;
  viewport?: { width: number; height: number };
}

export async function checkSite(siteDir: string, pages: string[], options: CheckSiteOptions): Promise<PageCheck[]> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  mkdirSync(options.screenshotDir, { recursive: true });
  const server = await serveSite(siteDir);
  const origin = server.url;
  const userDataDir = mkdtempSync(join(tmpdir(), 'wuwei-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: options.viewport ?? { width: 1360, height: 900 },
  });
  try {
    const results: PageCheck[] = [];
    for (const page of pages) results.push(await checkPage(context, origin, page, options));
    return results;
  } finally {
    await context.close();
    await server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

type Context = Awaited<ReturnType<typeof chromium.launchPersistentContext>>;

async function checkPage(
  context: Context,
  origin: string,
  page: string,
  options: CheckSiteOptions,
): Promise<PageCheck> {
  // 'forecast', '/forecast' and '/forecast.html' name the same page.
  const path = (page.startsWith('/') ? page : `/${page}`).replace(/\.html$/, '').replace(/^\/index$/, '/');
  const url = `${origin}${path}`;
  const tab = await context.newPage();
  const consoleErrors: string[] = [];
  const externalRequests: string[] = [];
  tab.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  tab.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  await tab.route('**/*', async (route) => {
    const requested = route.request().url();
    if (requested.startsWith(origin) || requested.startsWith('data:') || requested.startsWith('blob:'))
      return route.continue();
    externalRequests.push(requested);
    return route.abort('internetdisconnected');
  });
  try {
    await tab.goto(url, { waitUntil: 'networkidle', timeout: options.timeoutMs ?? 30_000 });
    const charts = await waitForCharts(tab, options.timeoutMs ?? 30_000);
    const notAvailable = await tab.evaluate(() =>
      Array.from(document.querySelectorAll('.wuwei-not-available'), (note) => note.textContent ?? ''),
    );
    const figures = await tab.evaluate(() => {
      const found: Record<string, string[]> = {};
      for (const element of Array.from(document.querySelectorAll<HTMLElement>('[data-figure]'))) {
        const figure = element.dataset['figure']!;
        found[figure] = [...(found[figure] ?? []), (element.textContent ?? '').trim()];
      }
      return found;
    });
    const overflow = await tab.evaluate(cutOrOverlapping);
    const name = path === '/' ? 'index' : path.slice(1).replaceAll('/', '-');
    const screenshot = join(options.screenshotDir, `${name}${options.screenshotSuffix ?? ''}.png`);
    await tab.screenshot({ path: screenshot, fullPage: true });
    return {
      path,
      url,
      charts,
      svgMarks: charts.reduce((sum, chart) => sum + chart.marks, 0),
      notAvailable,
      consoleErrors,
      externalRequests,
      figures,
      overflow,
      screenshot,
    };
  } finally {
    await tab.close();
  }
}

/**
 * Runs in the page. Body cells that end in an ellipsis are abbreviated on purpose (a long deal or
 * account name; the whole name is on the deal's panel), so they do not count; headers do.
 */
function cutOrOverlapping(): string[] {
  const main = document.querySelector('main');
  if (!main) return ['no <main>'];
  const found: string[] = [];
  const page = document.scrollingElement ?? document.documentElement;
  if (page.scrollWidth > page.clientWidth + 1) found.push(`page ${page.scrollWidth} > window ${page.clientWidth}`);
  // (no named helper functions in here: the test runner's transform would wrap them in a helper the page lacks)
  for (const element of [main, ...Array.from(main.querySelectorAll<HTMLElement>('*'))]) {
    if (element.clientWidth === 0 || element.scrollWidth <= element.clientWidth + 1) continue;
    const style = getComputedStyle(element);
    const abbreviated = style.textOverflow === 'ellipsis';
    if (abbreviated && element.closest('tbody')) continue;
    if (!abbreviated && style.overflowX === 'visible') continue;
    const cut = abbreviated ? ` "${(element.textContent ?? '').trim()}" cut:` : '';
    found.push(
      `${element.tagName.toLowerCase()}.${element.getAttribute('class') || '-'}${cut} ${element.scrollWidth} > ${element.clientWidth}`,
    );
  }
  // Vega shortens a label longer than its limit to "…"; the reader loses its end.
  for (const text of Array.from(main.querySelectorAll('.wuwei-chart svg text'))) {
    if ((text.textContent ?? '').endsWith('…')) found.push(`chart label cut: "${text.textContent}"`);
  }
  // Labels of one axis or legend drawn over or into each other ("20M22M"). Level labels: their boxes
  // overlap or are less than 2 px apart.
  // Rotated labels (-45°, -60°) lie side by side: they meet when their baselines are closer than
  // the font size, measured across the text's direction from each label's anchor on screen.
  const labelGroups = main.querySelectorAll('.wuwei-chart svg g.role-axis-label, .wuwei-chart svg g.role-legend-label');
  for (const group of Array.from(labelGroups)) {
    const labels = Array.from(group.querySelectorAll('text'))
      .filter((text) => (text.textContent ?? '').trim() !== '' && getComputedStyle(text).opacity !== '0')
      .map((text) => {
        const matrix = text.getScreenCTM();
        const angle = Number(/rotate\((-?[\d.]+)/.exec(text.getAttribute('transform') ?? '')?.[1] ?? 0);
        const size = parseFloat(getComputedStyle(text).fontSize);
        return {
          text: text.textContent ?? '',
          box: text.getBoundingClientRect(),
          angle,
          x: matrix?.e ?? 0,
          y: matrix?.f ?? 0,
          size,
        };
      });
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const a = labels[i]!;
        const b = labels[j]!;
        const width = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
        const height = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
        const radians = (a.angle * Math.PI) / 180;
        const across = Math.abs(-(b.x - a.x) * Math.sin(radians) + (b.y - a.y) * Math.cos(radians));
        const level = a.angle === 0 || a.angle !== b.angle;
        const meet = level
          ? width > -2 && height > 1
          : width > 1 && height > 1 && across < 0.8 * Math.min(a.size, b.size);
        if (meet) found.push(`labels overlap: "${a.text}" and "${b.text}"`);
      }
    }
  }
  return found;
}

/**
 * Charts appear as Framework runs the page's cells and their containers get a width: wait until no
 * chart is still drawing and the number of charts has held still for a few polls.
 */
async function waitForCharts(tab: Awaited<ReturnType<Context['newPage']>>, timeoutMs: number): Promise<ChartCheck[]> {
  const deadline = Date.now() + timeoutMs;
  let charts: ChartCheck[] = [];
  let stablePolls = 0;
  while (Date.now() < deadline) {
    const previousCount = charts.length;
    charts = await tab.evaluate((selector) => {
      return Array.from(document.querySelectorAll<HTMLElement>(selector), (chart) => ({
        state: chart.dataset['state'] ?? 'unknown',
        marks: chart.querySelectorAll('svg g.role-mark > *').length,
        description: chart.getAttribute('aria-label'),
      }));
    }, CHART_SELECTOR);
    const settled = charts.length > 0 && charts.every((chart) => chart.state !== 'rendering');
    stablePolls = settled && charts.length === previousCount ? stablePolls + 1 : 0;
    if (stablePolls >= 3) break;
    await tab.waitForTimeout(200);
  }
  return charts;
}

/**
 * Opens each address of the site (a page with its query string, e.g. '/deals.html?list=stalled')
 * and returns the text of `selector` once the page has drawn it: what a reader sees after a filter.
 */
export async function readOnPages(
  siteDir: string,
  addresses: string[],
  selector: string,
  options: { timeoutMs?: number; viewport?: { width: number; height: number } } = {},
): Promise<Record<string, string>> {
  const server = await serveSite(siteDir);
  const userDataDir = mkdtempSync(join(tmpdir(), 'wuwei-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: options.viewport ?? { width: 1280, height: 900 },
  });
  try {
    const texts: Record<string, string> = {};
    for (const address of addresses) {
      const tab = await context.newPage();
      try {
        await tab.goto(`${server.url}${address}`, { waitUntil: 'networkidle', timeout: options.timeoutMs ?? 30_000 });
        await tab.waitForSelector(selector, { timeout: options.timeoutMs ?? 30_000 });
        texts[address] = ((await tab.textContent(selector)) ?? '').trim();
      } finally {
        await tab.close();
      }
    }
    return texts;
  } finally {
    await context.close();
    await server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
