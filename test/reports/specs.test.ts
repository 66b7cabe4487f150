/**
 * The chart-spec builders are pure functions: small fixtures in, Vega-Lite specs out. Each spec must
 * compile without a Vega-Lite warning, carry a title, axis titles with units, tooltips and a
 * description, and draw marks when Vega renders it to SVG in Node (no browser needed here).
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { calibrationChart } from '../../reports/src/components/calibrationChart.ts';
import { readableFeatureName, wrapLines } from '../../reports/src/components/chartStyle.ts';
import { formatDate, formatDateTime, formatSignedAmount } from '../../reports/src/components/format.ts';
import { rangeForecastChart } from '../../reports/src/components/rangeForecastChart.ts';
import { importanceChart } from '../../reports/src/components/importanceChart.ts';
import { rocChart } from '../../reports/src/components/rocChart.ts';
import { stageChart } from '../../reports/src/components/stageChart.ts';
import type { CurvePoint, FeatureImportance, RangeForecast, StageSummary } from '../../reports/src/components/types.ts';

/** Months of the forecast stage's table: June closed (booked), July and August still to come. */
const month = (periodStart: string, label: string, closed: boolean, won: number, p50: number): RangeForecast => ({
  periodType: 'month',
  periodStart,
  periodEnd: `${periodStart.slice(0, 8)}28`,
  label,
  closed,
  wonToDate: won,
  expected: p50 * 1.01,
  p10: closed ? won : p50 * 0.8,
  p50,
  p90: closed ? won : p50 * 1.25,
  weightedPipeline: closed ? 0 : p50 * 1.1,
  repCommit: 0,
  repBestCase: 0,
  repPipeline: 0,
  openDeals: closed ? 0 : 40,
  target: null,
  attainment: null,
  forecastAttainment: null,
});
const MONTHS: RangeForecast[] = [
  month('2026-08-01', 'Aug 2026', false, 0, 2_415_377),
  month('2026-06-01', 'Jun 2026', true, 3_886_800, 3_886_800),
  month('2026-07-01', 'Jul 2026', false, 120_000, 2_135_234),
];

const ROC: CurvePoint[] = [0, 0.1, 0.3, 0.6, 1].flatMap((x) => [
  { model: 'wuwei' as const, x, y: Math.pow(x, 0.4), n: 0 },
  { model: 'stage_baseline' as const, x, y: Math.pow(x, 0.6), n: 0 },
]);

const CALIBRATION: CurvePoint[] = [
  ...[0.05, 0.25, 0.45, 0.65, 0.85].map((x, i) => ({
    model: 'wuwei' as const,
    x,
    y: x + (i % 2 ? 0.02 : -0.02),
    n: 400 - 50 * i,
  })),
  ...[0.1, 0.2, 0.4, 0.6, 0.8].map((x) => ({ model: 'stage_baseline' as const, x, y: 0.7 * x, n: 300 })),
];

const IMPORTANCE: FeatureImportance[] = [
  {
    feature: 'pbm_timing_days_in_stage',
    dimension: 'PBM',
    family: 'PBM timing',
    definition: 'Days in the current stage.',
    importance: 0.021,
  },
  {
    feature: 'ecm_key_person_max_strength',
    dimension: 'ECM',
    family: 'ECM key-person relationship',
    definition: 'Strongest tie.',
    importance: 0.058,
  },
  {
    feature: 'ecm_chain_roles_covered',
    dimension: 'ECM',
    family: 'ECM decision-chain relationship',
    definition: 'Roles covered.',
    importance: 0.034,
  },
  { feature: 'pbm_money_discount', dimension: 'PBM', family: 'PBM money', definition: 'Discount.', importance: -0.001 },
];

const STAGES: StageSummary[] = [
  { stage: 'Negotiation', stageProbability: 0.8, deals: 24, amount: 4_336_500, meanWinProbability: 0.73 },
  { stage: 'Prospecting', stageProbability: 0.1, deals: 24, amount: 3_550_800, meanWinProbability: 0.094 },
  { stage: 'Proposal', stageProbability: 0.6, deals: 24, amount: 3_109_000, meanWinProbability: 0.6 },
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
  return groups.reduce(
    (count, group) => count + (group.split('</g>')[0]!.match(/<(path|line|text|rect|circle)\b/g)?.length ?? 0),
    0,
  );
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
  return (
    JSON.stringify(spec)
      .match(/"tooltip":\[[^\]]*\]/g)
      ?.flatMap((block) => [...block.matchAll(/"field":"(\w+)"/g)].map((m) => m[1]!)) ?? []
  );
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

/** The tick labels Vega drew on the chart's axes, from its SVG. */
async function axisLabels(spec: TopLevelSpec): Promise<string[]> {
  const svg = await new View(parse(compile(spec).spec), { renderer: 'none' }).toSVG();
  return [...svg.matchAll(/<g class="mark-text role-axis-label"[^>]*>(.*?)<\/g>/gs)].flatMap((group) =>
    [...group[1]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!),
  );
}

describe('rangeForecastChart (months of the forecast stage)', () => {
  const spec = rangeForecastChart(deepFreeze(structuredClone(MONTHS)), {
    currency: 'USD',
    width: 700,
    title: 'Bookings by month',
  });

  it('puts the months in time order, a closed month as booked with no CRM tick, open months with range and CRM total', () => {
    const values = (spec.data as { values: (RangeForecast & { crm: number | null })[] }).values;
    expect(values.map((v) => v.label)).toEqual(['Jun 2026', 'Jul 2026', 'Aug 2026']);
    expect(values[0]).toMatchObject({ closed: true, wonToDate: 3_886_800, crm: null });
    // The CRM's figure for an open month includes what is already won, like the forecast.
    expect(values[1]!.crm).toBeCloseTo(120_000 + 2_135_234 * 1.1);
    expectTitled(spec);
    expect(axisTitles(spec)).toEqual(['Period', 'Bookings (USD)']);
  });

  it('compiles without warnings, draws its marks, and labels the amount axis without "0M", "0k" or "NaN"', async () => {
    expect(compileStrictly(spec).problems).toEqual([]);
    expect(await renderedMarks(spec)).toBeGreaterThanOrEqual(MONTHS.length * 3);
    const labels = await axisLabels(spec);
    expect(labels).toEqual(expect.arrayContaining(['Jun 2026', 'Jul 2026', 'Aug 2026', '0']));
    for (const label of labels) expect(label).not.toMatch(/^0(\.0+)?[kMB]$|NaN/);
    expect(labels.some((label) => /^\d+(\.\d+)?[kMB]$/.test(label))).toBe(true);
  });

  it('fits the width it is given', () => {
    expect(rangeForecastChart(MONTHS, { currency: 'USD', width: 333 })).toMatchObject({
      width: 333,
      autosize: { type: 'fit', contains: 'padding' },
    });
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
    expect(values.map((v) => v.feature)).toEqual([
      'ecm_key_person_max_strength',
      'ecm_chain_roles_covered',
      'pbm_timing_days_in_stage',
    ]);
    expect(values.map((v) => v.label)).toEqual([
      'Key person: max strength',
      'Chain: roles covered',
      'Timing: days in stage',
    ]);
    expect(JSON.stringify(spec)).toContain('"domain":["ECM","PBM"]');
    expectTitled(spec);
    expect(axisTitles(spec)).toEqual(['AUC lost when shuffled (0–1)']);
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

  it('writes every date one way, with the time where there is one, and signs amount changes', () => {
    expect(formatDate('2026-07-01')).toBe('1 Jul 2026');
    expect(formatDateTime('2026-07-01 01:05')).toBe('1 Jul 2026 01:05');
    expect(formatDateTime('2026-07-01T01:05:00.000Z')).toBe('1 Jul 2026 01:05');
    expect(formatDateTime(null)).toBe('—');
    expect(formatSignedAmount(-603_000)).toBe('−603K');
    expect(formatSignedAmount(1_200_000)).toBe('+1.2M');
    expect(formatSignedAmount(0)).toBe('±0');
  });

  it('turns feature names into words', () => {
    expect(readableFeatureName('pbm_similar_win_rate')).toBe('Similar: win rate');
    expect(readableFeatureName('pbm_things_is_renewal')).toBe('Things: renewal');
    expect(readableFeatureName('custom_feature')).toBe('Custom feature');
  });
});
