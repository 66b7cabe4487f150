/**
 * The chart-spec builders are pure functions: small fixtures in, Vega-Lite specs out. Each spec must
 * compile without a Vega-Lite warning, carry a title, axis titles with units, tooltips and a
 * description, and draw marks when Vega renders it to SVG in Node (no browser needed here).
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { calibrationChart } from '../../reports/src/components/calibrationChart.ts';
import { MEASURES, readableFeatureName, wrapLines } from '../../reports/src/components/chartStyle.ts';
import { describeMonth, formatChange } from '../../reports/src/components/format.ts';
import { forecastChart } from '../../reports/src/components/forecastChart.ts';
import { importanceChart } from '../../reports/src/components/importanceChart.ts';
import { rocChart } from '../../reports/src/components/rocChart.ts';
import { stageChart } from '../../reports/src/components/stageChart.ts';
import type { CurvePoint, FeatureImportance, ForecastBucket, StageSummary } from '../../reports/src/components/types.ts';

const BUCKETS: ForecastBucket[] = [
  { monthIndex: 1, label: 'Jul 2026', deals: 19, expected: 1_758_231, weighted: 1_849_280, unweighted: 3_506_400 },
  { monthIndex: -1, label: 'Past due', deals: 5, expected: 277_918, weighted: 435_340, unweighted: 701_600 },
  { monthIndex: 0, label: 'Jun 2026', deals: 5, expected: 209_454, weighted: 263_740, unweighted: 626_000 },
  { monthIndex: 12, label: 'Later', deals: 3, expected: 90_000, weighted: 120_000, unweighted: 400_000 },
];

const ROC: CurvePoint[] = [0, 0.1, 0.3, 0.6, 1].flatMap((x) => [
  { model: 'wuwei' as const, x, y: Math.pow(x, 0.4), n: 0 },
  { model: 'stage_baseline' as const, x, y: Math.pow(x, 0.6), n: 0 },
]);

const CALIBRATION: CurvePoint[] = [
  ...[0.05, 0.25, 0.45, 0.65, 0.85].map((x, i) => ({ model: 'wuwei' as const, x, y: x + (i % 2 ? 0.02 : -0.02), n: 400 - 50 * i })),
  ...[0.1, 0.2, 0.4, 0.6, 0.8].map((x) => ({ model: 'stage_baseline' as const, x, y: 0.7 * x, n: 300 })),
];

const IMPORTANCE: FeatureImportance[] = [
  { feature: 'pbm_timing_days_in_stage', dimension: 'PBM', family: 'PBM timing', definition: 'Days in the current stage.', importance: 0.021 },
  { feature: 'ecm_key_person_max_strength', dimension: 'ECM', family: 'ECM key-person relationship', definition: 'Strongest tie.', importance: 0.058 },
  { feature: 'ecm_chain_roles_covered', dimension: 'ECM', family: 'ECM decision-chain relationship', definition: 'Roles covered.', importance: 0.034 },
  { feature: 'pbm_money_discount', dimension: 'PBM', family: 'PBM money', definition: 'Discount.', importance: -0.001 },
];

const STAGES: StageSummary[] = [
  { stage: 'Negotiation', stageProbability: 0.8, deals: 24, amount: 4_336_500, expected: 2_929_201, weighted: 3_469_200, meanWinProbability: 0.73 },
  { stage: 'Prospecting', stageProbability: 0.1, deals: 24, amount: 3_550_800, expected: 326_473, weighted: 355_080, meanWinProbability: 0.094 },
  { stage: 'Proposal', stageProbability: 0.6, deals: 24, amount: 3_109_000, expected: 1_938_293, weighted: 1_865_400, meanWinProbability: 0.6 },
];

/** Compiles with Vega-Lite, collecting its warnings instead of printing them. */
function compileStrictly(spec: TopLevelSpec) {
  const problems: string[] = [];
  let level = 2;
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error: (...args: unknown[]) => (problems.push(`error: ${args.join(' ')}`), logger),
    warn: (...args: unknown[]) => (problems.push(`warn: ${args.join(' ')}`), logger),
    info: () => logger,
    debug: () => logger,
  };
  const vega = compile(spec, { logger }).spec;
  return { vega, problems };
}

/** Renders the spec with Vega's headless SVG renderer and counts the items of its data marks. */
async function renderedMarks(spec: TopLevelSpec): Promise<number> {
  const svg = await new View(parse(compile(spec).spec), { renderer: 'none' }).toSVG();
  const groups = svg.split(/<g class="mark-[a-z]+ role-mark/).slice(1);
  return groups.reduce((count, group) => count + (group.split('</g>')[0]!.match(/<(path|line|text|rect|circle)\b/g)?.length ?? 0), 0);
}

/** Every positional axis has a title that names its unit in parentheses. */
function axisTitles(spec: unknown): string[] {
  const titles: string[] = [];
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const encoding = record['encoding'] as Record<string, { title?: unknown }> | undefined;
    for (const channel of ['x', 'y'] as const) {
      const title = encoding?.[channel]?.title;
      if (typeof title === 'string') titles.push(title);
    }
    for (const child of (record['layer'] as unknown[] | undefined) ?? []) visit(child);
  };
  visit(spec);
  return titles;
}

function tooltipFields(spec: unknown): string[] {
  return JSON.stringify(spec).match(/"tooltip":\[[^\]]*\]/g)?.flatMap((block) => [...block.matchAll(/"field":"(\w+)"/g)].map((m) => m[1]!)) ?? [];
}

function expectTitled(spec: TopLevelSpec) {
  const title = spec.title as { text: string[]; subtitle: string[] };
  expect(title.text.join(' ').length).toBeGreaterThan(10);
  expect(title.subtitle.join(' ').length).toBeGreaterThan(10);
  expect(spec.description?.length).toBeGreaterThan(40);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('forecastChart', () => {
  const spec = forecastChart(deepFreeze(structuredClone(BUCKETS)), { currency: 'USD', width: 700 });

  it('puts the three measures side by side per month, months in time order with past due first', () => {
    const values = (spec.data as { values: { month: string; series: string; amount: number; deals: number }[] }).values;
    expect(values).toHaveLength(BUCKETS.length * 3);
    expect([...new Set(values.map((v) => v.month))]).toEqual(['Past due', 'Jun 2026', 'Jul 2026', 'Later']);
    expect(values.find((v) => v.month === 'Jul 2026' && v.series === MEASURES.expected.label)?.amount).toBe(1_758_231);
    const encoding = (spec as { encoding: Record<string, { field?: string; type?: string; sort?: unknown; scale?: { domain: string[]; range: string[] } }> }).encoding;
    expect(encoding['x']).toMatchObject({ field: 'month', type: 'ordinal', sort: ['Past due', 'Jun 2026', 'Jul 2026', 'Later'] });
    expect(encoding['xOffset']).toMatchObject({ field: 'series' });
    expect(encoding['y']).toMatchObject({ field: 'amount', type: 'quantitative' });
    expect(encoding['color']!.scale!.domain).toEqual([MEASURES.expected.label, MEASURES.weighted.label, MEASURES.unweighted.label]);
    expect(encoding['color']!.scale!.range).toEqual([MEASURES.expected.color, MEASURES.weighted.color, MEASURES.unweighted.color]);
  });

  it('has a title, unit-bearing axis titles, tooltips and a description', () => {
    expectTitled(spec);
    expect(axisTitles(spec)).toEqual(["Expected close month (rep's date)", 'Amount (USD)']);
    expect(tooltipFields(spec)).toEqual(['month', 'series', 'amount', 'deals']);
    expect(spec.description).toMatch(/win probability/);
  });

  it('shows only the measures asked for', () => {
    const two = forecastChart(BUCKETS, { currency: 'EUR', measures: ['expected', 'weighted'] });
    expect((two.data as { values: unknown[] }).values).toHaveLength(BUCKETS.length * 2);
    expect(JSON.stringify(two)).not.toContain(MEASURES.unweighted.label);
    expect(axisTitles(two)).toContain('Amount (EUR)');
  });

  it('compiles without warnings and draws one bar per month and measure', async () => {
    expect(compileStrictly(spec).problems).toEqual([]);
    expect(await renderedMarks(spec)).toBe(BUCKETS.length * 3);
  });

  it('fits the width it is given', () => {
    expect(forecastChart(BUCKETS, { currency: 'USD', width: 333 })).toMatchObject({ width: 333, autosize: { type: 'fit', contains: 'padding' } });
  });
});

describe('rocChart', () => {
  const spec = rocChart(deepFreeze(structuredClone(ROC)), { auc: { wuwei: 0.812, stage_baseline: 0.714 } });

  it('draws both curves with their AUC in the legend, over the diagonal of a random guess', async () => {
    const json = JSON.stringify(spec);
    expect(json).toContain('Wuwei model (AUC 0.812)');
    expect(json).toContain('CRM stage probability (AUC 0.714)');
    expect(json).toContain('random guess');
    expectTitled(spec);
    expect(axisTitles(spec).filter((title) => title.includes('%'))).toHaveLength(2);
    expect(tooltipFields(spec)).toEqual(['series', 'fpr', 'tpr']);
    expect(compileStrictly(spec).problems).toEqual([]);
    expect(await renderedMarks(spec)).toBeGreaterThan(ROC.length);
  });

  it('leaves out a model with no points', () => {
    const spec = rocChart(ROC.filter((point) => point.model === 'wuwei'));
    expect(JSON.stringify(spec)).toContain('"domain":["Wuwei model"]');
  });
});

describe('calibrationChart', () => {
  const spec = calibrationChart(deepFreeze(structuredClone(CALIBRATION)), { width: 400 });

  it('plots observed against predicted per bin, dots sized by deals, with the diagonal', async () => {
    const json = JSON.stringify(spec);
    expect(json).toContain('"field":"n"');
    expect(json).toContain('perfectly calibrated');
    expectTitled(spec);
    expect(axisTitles(spec)).toEqual(['Predicted win probability (bin mean, %)', 'Observed win rate (%)']);
    expect(tooltipFields(spec)).toEqual(['series', 'predicted', 'observed', 'n']);
    expect(compileStrictly(spec).problems).toEqual([]);
    expect(await renderedMarks(spec)).toBeGreaterThanOrEqual(CALIBRATION.length);
  });
});

describe('importanceChart', () => {
  it('shows the strongest features first with readable names, coloured by ECM or PBM', async () => {
    const spec = importanceChart(deepFreeze(structuredClone(IMPORTANCE)), { limit: 3 });
    const values = (spec.data as { values: { label: string; feature: string; dimension: string }[] }).values;
    expect(values.map((v) => v.feature)).toEqual(['ecm_key_person_max_strength', 'ecm_chain_roles_covered', 'pbm_timing_days_in_stage']);
    expect(values.map((v) => v.label)).toEqual(['Key person max strength', 'Chain roles covered', 'Timing days in stage']);
    expect(JSON.stringify(spec)).toContain('"domain":["ECM","PBM"]');
    expectTitled(spec);
    expect(axisTitles(spec)).toEqual(['Holdout AUC lost when shuffled (AUC, 0–1 scale)']);
    expect(tooltipFields(spec)).toEqual(['feature', 'family', 'definition', 'importance']);
    expect(compileStrictly(spec).problems).toEqual([]);
    expect(await renderedMarks(spec)).toBe(3);
  });
});

describe('stageChart', () => {
  it('puts the mean Wuwei probability (bars) against the CRM stage probability (ticks), stages in funnel order', async () => {
    const spec = stageChart(deepFreeze(structuredClone(STAGES)));
    const json = JSON.stringify(spec);
    expect(json).toContain('"sort":["Prospecting","Proposal","Negotiation"]');
    expectTitled(spec);
    expect(axisTitles(spec)).toEqual(['CRM stage (open deals)', 'Win probability (%)']);
    expect(tooltipFields(spec)).toEqual(['stage', 'series', 'probability', 'deals']);
    expect(compileStrictly(spec).problems).toEqual([]);
    expect(await renderedMarks(spec)).toBe(STAGES.length * 2);
  });
});

describe('chart text helpers', () => {
  it('wraps a title into lines that fit the width', () => {
    const lines = wrapLines('How well each score ranks won above lost deals (ROC)', 200, 8);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(25);
    expect(lines.join(' ')).toBe('How well each score ranks won above lost deals (ROC)');
  });

  it('says plainly when a month has no deals, and how far Wuwei is from the CRM otherwise', () => {
    expect(describeMonth({ monthIndex: 0, label: 'Jun 2026', deals: 0, expected: 0, weighted: 0, unweighted: 0 })).toBe('No open deal has its expected close date in Jun 2026.');
    expect(describeMonth(BUCKETS[0]!)).toBe('CRM weighted pipeline 1.8M (Wuwei 5% lower) · 19 deals');
    expect(formatChange(110, 100)).toBe('10% higher');
    expect(formatChange(100, 100)).toBe('the same');
  });

  it('turns feature names into words', () => {
    expect(readableFeatureName('pbm_similar_win_rate')).toBe('Similar win rate');
    expect(readableFeatureName('custom_feature')).toBe('Custom feature');
  });
});
