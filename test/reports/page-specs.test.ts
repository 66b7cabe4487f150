/**
 * The chart-spec builders of the pipeline, relationship, deals, accounts, forecast, model and data
 * pages: fixtures in, Vega-Lite specs out. Every spec must compile without a Vega-Lite warning, carry
 * a title, a subtitle and a description, name the unit of every quantitative axis, list tooltips,
 * and draw marks when Vega renders it; the ordering an executive relies on is checked one by one.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { accountCoverageChart } from '../../reports/src/components/accountCoverageChart.ts';
import { accountTierChart } from '../../reports/src/components/accountTierChart.ts';
import { ageingChart } from '../../reports/src/components/ageingChart.ts';
import { amountErrorChart } from '../../reports/src/components/amountErrorChart.ts';
import { backtestChart } from '../../reports/src/components/backtestChart.ts';
import { competitorChart } from '../../reports/src/components/competitorChart.ts';
import { COVERAGE_STATUS, coverageHeatmap, roleLabel } from '../../reports/src/components/coverageHeatmap.ts';
import { cycleHistogramChart } from '../../reports/src/components/cycleHistogramChart.ts';
import { cycleLengthChart } from '../../reports/src/components/cycleLengthChart.ts';
import { cycleTrendChart } from '../../reports/src/components/cycleTrendChart.ts';
import { familyImportanceChart } from '../../reports/src/components/familyImportanceChart.ts';
import { formatPoints } from '../../reports/src/components/format.ts';
import { funnelChart } from '../../reports/src/components/funnelChart.ts';
import { liftChart } from '../../reports/src/components/liftChart.ts';
import { loadVolumeChart } from '../../reports/src/components/loadVolumeChart.ts';
import { rangeForecastChart } from '../../reports/src/components/rangeForecastChart.ts';
import { rejectReasonChart } from '../../reports/src/components/rejectReasonChart.ts';
import { runHistoryChart } from '../../reports/src/components/runHistoryChart.ts';
import { scoreHistoryChart } from '../../reports/src/components/scoreHistoryChart.ts';
import { segmentForecastChart } from '../../reports/src/components/segmentForecastChart.ts';
import { stageTimeChart } from '../../reports/src/components/stageTimeChart.ts';
import { strengthTrendChart } from '../../reports/src/components/strengthTrendChart.ts';
import { threadingChart } from '../../reports/src/components/threadingChart.ts';
import { tiesChart } from '../../reports/src/components/tiesChart.ts';
import { tierSummaryChart } from '../../reports/src/components/tierSummaryChart.ts';
import type {
  AccountRow,
  BacktestRow,
  CoverageCell,
  CurvePoint,
  RangeForecast,
} from '../../reports/src/components/types.ts';
import { factorInWords, factorsInWords, OWNER_CLOSED, OWNER_WON } from '../../reports/src/data/factorWords.ts';
import { periodLabel } from '../../reports/src/data/forecastFigures.ts';
import { configuredGrades, gradeBands, GRADES_ENV } from '../../reports/src/data/gradeBands.ts';
import { DEFAULTS } from '../../pipeline/config/config.ts';
import { plainLabel } from '../../pipeline/features/plain-label.ts';
import { baseRateFromCalibration, DEPTHS, liftFromRoc } from '../../reports/src/data/lift.ts';

function quarter(periodStart: string, periodEnd: string, label: string, wonToDate: number, p50: number): RangeForecast {
  return {
    periodType: 'quarter',
    periodStart,
    periodEnd,
    label,
    closed: false,
    wonToDate,
    expected: p50 * 1.02,
    p10: p50 * 0.8,
    p50,
    p90: p50 * 1.25,
    weightedPipeline: p50 * 1.1,
    repCommit: p50 * 0.3,
    repBestCase: p50 * 0.7,
    repPipeline: p50 * 3,
    openDeals: 40,
    target: null,
    attainment: null,
    forecastAttainment: null,
  };
}

function problemsOf(spec: TopLevelSpec): string[] {
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
  compile(spec, { logger });
  return problems;
}

async function renderedMarks(spec: TopLevelSpec): Promise<number> {
  const svg = await new View(parse(compile(spec).spec), { renderer: 'none' }).toSVG();
  const groups = svg.split(/<g class="mark-[a-z]+ role-mark/).slice(1);
  return groups.reduce(
    (count, group) => count + (group.split('</g>')[0]!.match(/<(path|line|text|rect|circle)\b/g)?.length ?? 0),
    0,
  );
}

/** Titles of the x/y axes with their field types, through layers. */
function axisTitles(spec: unknown): { title: string; type: string }[] {
  const titles: { title: string; type: string }[] = [];
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const encoding = record['encoding'] as Record<string, { title?: unknown; type?: string }> | undefined;
    for (const channel of ['x', 'y'] as const) {
      const def = encoding?.[channel];
      if (typeof def?.title === 'string') titles.push({ title: def.title, type: def.type ?? '' });
    }
    for (const child of (record['layer'] as unknown[] | undefined) ?? []) visit(child);
  };
  visit(spec);
  return titles;
}

function dataValues<T = Record<string, unknown>>(spec: TopLevelSpec): T[] {
  return ((spec as { data?: { values: T[] } }).data?.values ?? []) as T[];
}

const ACCOUNTS: AccountRow[] = [
  {
    accountId: 'A1',
    label: 'A1',
    segment: 'enterprise',
    tier: 'Strategic',
    value: 900_000,
    potential: 300_000,
    openDeals: 3,
    openAmount: 700_000,
    ourPeople: 4,
    theirContacts: 6,
    executiveInvolved: true,
    strength: 80,
  },
  {
    accountId: 'A2',
    label: 'A2',
    segment: 'smb',
    tier: 'Grow',
    value: 0,
    potential: 500_000,
    openDeals: 2,
    openAmount: 900_000,
    ourPeople: 1,
    theirContacts: 1,
    executiveInvolved: false,
    strength: 5,
  },
  {
    accountId: 'A3',
    label: 'A3',
    segment: 'mid_market',
    tier: 'Monitor',
    value: 10_000,
    potential: 2_000,
    openDeals: 1,
    openAmount: 9_000,
    ourPeople: 0,
    theirContacts: 0,
    executiveInvolved: false,
    strength: 0.4,
  },
];

const COVERAGE: CoverageCell[] = ['D1', 'D2'].flatMap((deal, d) =>
  ['decision_maker', 'champion', 'user'].map((role, r) => ({
    opportunityId: deal,
    dealName: `Deal ${deal}`,
    accountId: `A${d}`,
    stage: 'Proposal',
    amount: d === 0 ? 100_000 : 400_000,
    role,
    status: (['engaged', 'named', 'missing'] as const)[(d + r) % 3]!,
    contacts: (d + r) % 3 === 2 ? 0 : 1,
  })),
);

const BACKTEST: BacktestRow[] = ['2025-01-01', '2025-04-01', '2025-07-01'].flatMap((periodStart, i) => [
  {
    periodStart,
    label: `Q${i + 1} 2025`,
    method: 'wuwei',
    forecast: 100 + i,
    actual: 100,
    accuracy: 1 - i / 100,
    bias: i / 100,
    inRange: true,
  },
  {
    periodStart,
    label: `Q${i + 1} 2025`,
    method: 'weighted_pipeline',
    forecast: 120,
    actual: 100,
    accuracy: 0.8,
    bias: 0.2,
    inRange: null,
  },
]);

/** Every builder with a small fixture, and how many data marks it must draw at least. */
const SPECS: [string, () => TopLevelSpec, number][] = [
  [
    'cycleLengthChart',
    () =>
      cycleLengthChart([
        { segment: 'smb', outcome: 'won', deals: 40, p10: 20, p25: 30, median: 40, p75: 55, p90: 70 },
        { segment: 'enterprise', outcome: 'won', deals: 10, p10: 90, p25: 120, median: 150, p75: 180, p90: 220 },
        { segment: 'enterprise', outcome: 'lost', deals: 30, p10: 10, p25: 30, median: 60, p75: 120, p90: 180 },
      ]),
    9,
  ],
  [
    'cycleHistogramChart',
    () =>
      cycleHistogramChart([
        { outcome: 'won', fromDays: 30, toDays: 60, label: '30–60', deals: 12 },
        { outcome: 'lost', fromDays: 0, toDays: 30, label: '0–30', deals: 30 },
        { outcome: 'won', fromDays: 360, toDays: null, label: '360+', deals: 2 },
      ]),
    3,
  ],
  [
    'cycleTrendChart',
    () =>
      cycleTrendChart([
        { quarter: '2025-04-01', label: 'Q2 2025', outcome: 'won', deals: 10, medianDays: 70 },
        { quarter: '2025-01-01', label: 'Q1 2025', outcome: 'won', deals: 8, medianDays: 60 },
        { quarter: '2025-01-01', label: 'Q1 2025', outcome: 'lost', deals: 20, medianDays: 30 },
      ]),
    3,
  ],
  [
    'stageTimeChart',
    () =>
      stageTimeChart([
        {
          stage: 'Proposal',
          stageIndex: 2,
          wonMedianDays: 12,
          wonP75Days: 20,
          openDeals: 5,
          openMedianDays: 25,
          openOverNorm: 3,
          openOverNormAmount: 90_000,
        },
        {
          stage: 'Prospecting',
          stageIndex: 1,
          wonMedianDays: 8,
          wonP75Days: 14,
          openDeals: 9,
          openMedianDays: 6,
          openOverNorm: 1,
          openOverNormAmount: 10_000,
        },
      ]),
    6,
  ],
  [
    'ageingChart',
    () =>
      ageingChart(
        [
          { ageBucket: '31–90 days', ageOrder: 1, stage: 'Proposal', stageIndex: 2, deals: 3, amount: 300_000 },
          { ageBucket: '0–30 days', ageOrder: 0, stage: 'Prospecting', stageIndex: 1, deals: 9, amount: 200_000 },
        ],
        { currency: 'USD' },
      ),
    2,
  ],
  [
    'funnelChart',
    () =>
      funnelChart([
        { stage: 'Won', stageIndex: 3, deals: 30, share: 0.3, conversion: 0.6 },
        { stage: 'Prospecting', stageIndex: 1, deals: 100, share: 1, conversion: null },
        { stage: 'Proposal', stageIndex: 2, deals: 50, share: 0.5, conversion: 0.5 },
      ]),
    6,
  ],
  [
    'coverageHeatmap',
    () => coverageHeatmap(COVERAGE, { roles: ['decision_maker', 'champion', 'user'], currency: 'USD' }),
    6,
  ],
  [
    'threadingChart',
    () =>
      threadingChart(
        [
          {
            stage: 'Negotiation',
            stageIndex: 2,
            singleThreaded: 2,
            multiThreaded: 8,
            amountAtRisk: 50_000,
            expectedAtRisk: 30_000,
          },
          {
            stage: 'Prospecting',
            stageIndex: 1,
            singleThreaded: 20,
            multiThreaded: 3,
            amountAtRisk: 400_000,
            expectedAtRisk: 40_000,
          },
        ],
        { currency: 'USD' },
      ),
    4,
  ],
  [
    'strengthTrendChart',
    () =>
      strengthTrendChart(
        [
          { accountId: 'A1', month: '2026-05-01', strength: 20 },
          { accountId: 'A1', month: '2026-06-01', strength: 25 },
          { accountId: 'A2', month: '2026-06-01', strength: 5 },
        ],
        { labels: { A1: 'A1', A2: 'A2' } },
      ),
    3,
  ],
  [
    'tiesChart',
    () =>
      tiesChart(
        [
          {
            accountId: 'A1',
            userLabel: 'U1 · account executive',
            contactLabel: 'C1 · vp · Finance',
            interactions: 12,
            strength: 20,
            lastInteraction: '2026-06-20',
          },
          {
            accountId: 'A1',
            userLabel: 'U2 · sales engineer',
            contactLabel: 'C1 · vp · Finance',
            interactions: 2,
            strength: 3,
            lastInteraction: '2026-05-02',
          },
          {
            accountId: 'A1',
            userLabel: 'U1 · account executive',
            contactLabel: 'C2 · staff · IT',
            interactions: 1,
            strength: 1,
            lastInteraction: '2026-04-01',
          },
        ],
        { account: 'A1' },
      ),
    6,
  ],
  [
    'competitorChart',
    () =>
      competitorChart(
        [
          {
            competitor: 'Acme',
            openDeals: 3,
            openAmount: 300_000,
            closedDeals: 40,
            won: 10,
            winRate: 0.25,
            incumbentOn: 5,
          },
          {
            competitor: 'Zenith',
            openDeals: 1,
            openAmount: 50_000,
            closedDeals: 20,
            won: 9,
            winRate: 0.45,
            incumbentOn: 1,
          },
          {
            competitor: 'Newco',
            openDeals: 2,
            openAmount: 80_000,
            closedDeals: 0,
            won: 0,
            winRate: null,
            incumbentOn: 0,
          },
        ],
        { overallWinRate: 0.33, currency: 'USD' },
      ),
    3,
  ],
  [
    'accountTierChart',
    () => accountTierChart(ACCOUNTS, { currency: 'USD', valueThreshold: 100_000, potentialThreshold: 50_000 }),
    5,
  ],
  [
    'tierSummaryChart',
    () =>
      tierSummaryChart(
        [
          { tier: 'Grow', accounts: 10, value: 0, potential: 500_000, openAmount: 1_200_000 },
          { tier: 'Strategic', accounts: 4, value: 2_000_000, potential: 900_000, openAmount: 1_500_000 },
        ],
        { currency: 'USD' },
      ),
    4,
  ],
  ['accountCoverageChart', () => accountCoverageChart(ACCOUNTS, { currency: 'USD' }), 4],
  [
    'scoreHistoryChart',
    () =>
      scoreHistoryChart(['2026-06-28', '2026-06-29', '2026-06-30'], [0.4, null, 0.46], {
        deal: 'O1',
        stageProbability: 0.6,
      }),
    3,
  ],
  [
    'segmentForecastChart',
    () =>
      segmentForecastChart(
        [
          {
            segmentType: 'owner',
            segment: 'U1',
            label: 'Wen Li',
            wonToDate: 0,
            expected: 100_000,
            p10: 60_000,
            p50: 95_000,
            p90: 150_000,
            weightedPipeline: 120_000,
            openDeals: 4,
          },
          {
            segmentType: 'owner',
            segment: 'U2',
            label: 'Ana Ruiz',
            wonToDate: 50_000,
            expected: 900_000,
            p10: 700_000,
            p50: 880_000,
            p90: 1_100_000,
            weightedPipeline: 800_000,
            openDeals: 9,
          },
        ],
        { currency: 'USD', title: 'Q3 forecast by owner' },
      ),
    8,
  ],
  [
    'rangeForecastChart',
    () =>
      rangeForecastChart(
        [
          quarter('2026-10-01', '2026-12-31', 'Q4 2026', 0, 1_750_000),
          quarter('2026-07-01', '2026-09-30', 'Q3 2026', 250_000, 2_350_000),
        ],
        { currency: 'USD' },
      ),
    8,
  ],
  ['backtestChart', () => backtestChart(BACKTEST), 6],
  [
    'liftChart',
    () =>
      liftChart([
        { model: 'wuwei', depth: 0.1, lift: 2.1 },
        { model: 'wuwei', depth: 0.5, lift: 1.5 },
        { model: 'stage_baseline', depth: 0.1, lift: 1.6 },
      ]),
    3,
  ],
  [
    'familyImportanceChart',
    () =>
      familyImportanceChart([
        { family: 'PBM timing', dimension: 'PBM', importance: 0.05, features: 7 },
        { family: 'ECM decision-chain relationship', dimension: 'ECM', importance: 0.02, features: 6 },
      ]),
    2,
  ],
  [
    'amountErrorChart',
    () => amountErrorChart([{ name: 'Deal-size WAPE', wuwei: 0.14, baseline: 0.27, higherIsBetter: false }]),
    2,
  ],
  [
    'loadVolumeChart',
    () =>
      loadVolumeChart([
        { entity: 'users', loaded: 50, rejected: 0, file: null },
        { entity: 'activities', loaded: 80_000, rejected: 3, file: 'activities.csv' },
        { entity: 'opportunity_line_items', loaded: 0, rejected: 0, file: null },
      ]),
    6,
  ],
  [
    'rejectReasonChart',
    () =>
      rejectReasonChart([
        { entity: 'opportunities', column: 'created_date', reason: 'not a date', rows: 2 },
        { entity: 'contacts', column: 'account_id', reason: 'unknown account', rows: 7 },
      ]),
    2,
  ],
  [
    'runHistoryChart',
    () =>
      runHistoryChart([
        {
          startedAt: '2026-06-30T01:00:00.000Z',
          outcome: 'succeeded',
          stages: [
            { stage: 'load', seconds: 2 },
            { stage: 'train', seconds: 14 },
          ],
          loaded: 100,
          rejected: 0,
        },
        {
          startedAt: '2026-06-29T01:00:00.000Z',
          outcome: 'failed',
          stages: [{ stage: 'load', seconds: 2 }],
          loaded: 90,
          rejected: 1,
        },
      ]),
    3,
  ],
];

describe('every page chart', () => {
  for (const [name, build, minimumMarks] of SPECS) {
    it(`${name}: titled, described, units on axes, tooltips, compiles cleanly and draws marks`, async () => {
      const spec = build();
      const title = spec.title as { text: string[]; subtitle: string[] };
      expect(title.text.join(' ').length).toBeGreaterThan(10);
      expect(title.subtitle.join(' ').length).toBeGreaterThan(10);
      expect(spec.description?.length).toBeGreaterThan(40);
      const axes = axisTitles(spec);
      expect(axes.length, 'an axis with a title').toBeGreaterThan(0);
      for (const axis of axes.filter((a) => a.type === 'quantitative'))
        expect(axis.title, 'unit in parentheses').toMatch(/\(.+\)/);
      expect(JSON.stringify(spec)).toContain('"tooltip":[');
      expect(problemsOf(spec)).toEqual([]);
      expect(await renderedMarks(spec)).toBeGreaterThanOrEqual(minimumMarks);
    });
  }
});

describe('the order an executive reads', () => {
  it('lists stages in funnel order, not alphabetically, with Won last', () => {
    const spec = SPECS.find(([name]) => name === 'funnelChart')![1]();
    expect(JSON.stringify(spec)).toContain('"sort":["Prospecting","Proposal","Won"]');
  });

  it('puts segments with the longest won cycles first', () => {
    const spec = SPECS.find(([name]) => name === 'cycleLengthChart')![1]();
    expect(JSON.stringify(spec)).toContain('"sort":["Enterprise","SMB"]');
  });

  it('ranks competitors from our worst record up and leaves out those we never closed against', () => {
    const spec = SPECS.find(([name]) => name === 'competitorChart')![1]();
    expect(JSON.stringify(spec)).toContain('"sort":["Acme","Zenith"]');
    expect(JSON.stringify(spec)).not.toContain('Newco');
    expect(JSON.stringify(spec)).toContain('all closed deals: 33%');
  });

  it('orders the coverage heatmap by deal amount and colours each status the same way everywhere', () => {
    const spec = coverageHeatmap(COVERAGE, { roles: ['decision_maker', 'champion', 'user'], currency: 'USD' });
    const json = JSON.stringify(spec);
    expect(json).toContain('"sort":["Deal D2","Deal D1"]'); // deals by name, largest first
    expect(json).toContain('"sort":["Decision maker","Champion","User"]');
    expect(json).toContain(
      `"range":["${COVERAGE_STATUS.engaged.color}","${COVERAGE_STATUS.named.color}","${COVERAGE_STATUS.missing.color}"]`,
    );
    expect(roleLabel('technical_evaluator')).toBe('Technical evaluator');
  });

  it('sorts who-knows-whom rows and columns by total tie strength', () => {
    const spec = SPECS.find(([name]) => name === 'tiesChart')![1]();
    const json = JSON.stringify(spec);
    expect(json).toContain('"sort":["U1 · account executive","U2 · sales engineer"]');
    expect(json).toContain('"sort":["C1 · vp · Finance","C2 · staff · IT"]');
  });

  it('draws loads largest first and starts log-scale bars at one row, so empty exports still show', () => {
    const spec = SPECS.find(([name]) => name === 'loadVolumeChart')![1]();
    const values = dataValues<{ entity: string; plotted: number; text: string }>(spec);
    expect(values.map((v) => v.entity)).toEqual(['activities', 'users', 'opportunity_line_items']);
    expect(values.map((v) => v.plotted)).toEqual([80_000, 50, 1]);
    expect(values.map((v) => v.text)).toEqual(['3 rejected', 'no rejects', 'none loaded']);
  });

  it('shows runs oldest first and marks a failed one', () => {
    const spec = SPECS.find(([name]) => name === 'runHistoryChart')![1]();
    expect(JSON.stringify(spec)).toContain('"sort":["29 Jun 01:00 (failed)","30 Jun 01:00"]');
  });

  it('skips the nights a deal was not scored instead of drawing a zero', () => {
    const spec = SPECS.find(([name]) => name === 'scoreHistoryChart')![1]();
    const layer = (spec as { layer: { data: { values: { night: string; probability: number }[] } }[] }).layer[0]!;
    expect(layer.data.values).toEqual([
      { night: '2026-06-28', probability: 0.4 },
      { night: '2026-06-30', probability: 0.46 },
    ]);
  });

  it('orders segments by their median forecast, owners by name', () => {
    const spec = SPECS.find(([name]) => name === 'segmentForecastChart')![1]();
    expect(dataValues<{ label: string; crm: number }>(spec).map((v) => [v.label, v.crm])).toEqual([
      ['Ana Ruiz', 850_000],
      ['Wen Li', 120_000],
    ]);
  });

  it('orders the forecast range by period', () => {
    const spec = SPECS.find(([name]) => name === 'rangeForecastChart')![1]();
    expect(dataValues<{ label: string }>(spec).map((v) => v.label)).toEqual(['Q3 2026', 'Q4 2026']);
  });
});

describe('lift from the ROC curve', () => {
  const roc = (model: 'wuwei' | 'stage_baseline', points: [number, number][]): CurvePoint[] =>
    points.map(([x, y]) => ({ model, x, y, n: 0 }));

  it('is 1 at every depth for a random score', () => {
    const lift = liftFromRoc(
      roc('stage_baseline', [
        [0, 0],
        [1, 1],
      ]),
      0.3,
    );
    expect(lift.map((p) => p.depth)).toEqual(DEPTHS);
    for (const point of lift) expect(point.lift).toBeCloseTo(1, 10);
  });

  it('is 1 / base rate down to the base rate for a perfect score, then falls to 1', () => {
    const lift = liftFromRoc(
      roc('wuwei', [
        [0, 0],
        [0, 1],
        [1, 1],
      ]),
      0.25,
    );
    expect(lift.find((p) => p.depth === 0.2)!.lift).toBeCloseTo(4, 10);
    expect(lift.find((p) => p.depth === 0.5)!.lift).toBeCloseTo(2, 10);
    expect(lift.find((p) => p.depth === 1)!.lift).toBeCloseTo(1, 10);
  });

  it('takes the holdout win rate from the calibration bins, weighted by deals', () => {
    expect(
      baseRateFromCalibration([
        { model: 'wuwei', x: 0.1, y: 0.1, n: 300 },
        { model: 'wuwei', x: 0.9, y: 0.9, n: 100 },
      ]),
    ).toBeCloseTo(0.3, 10);
    expect(baseRateFromCalibration([])).toBeNull();
  });
});

describe('small readers and formats', () => {
  it("says a factor in a sales manager's words with the deal's own values, not the formula", () => {
    const owner = `${plainLabel('ecm_employee_owner_win_rate')} (+12.4 pts)`;
    expect(owner).toMatch(/\(won \+ 1\)/); // what the scoring stage stores
    // The counts come from the history (ownerRecords.ts), never from the rate: a rate that does not match them is not read back.
    const values = {
      ecm_employee_owner_win_rate: 0.5,
      ecm_employee_owner_closed_deals: 30,
      [OWNER_WON]: 12,
      [OWNER_CLOSED]: 30,
    };
    expect(factorInWords(owner, values)).toEqual({
      text: 'Owner has won 12 of 30 closed deals (40%)',
      points: 12.4,
      feature: 'ecm_employee_owner_win_rate',
    });
    expect(factorInWords(owner, { ecm_employee_owner_win_rate: 13 / 32 }).text).toBe("Owner's win rate so far: 41%");
    const stored = `${plainLabel('ecm_chain_single_threaded')} (−9.8 pts); ${plainLabel('pbm_timing_close_pushes')} (−3.0 pts)`;
    expect(
      factorsInWords(stored, { ecm_chain_single_threaded: 1, pbm_timing_close_pushes: 2 }).map((f) => [
        f.text,
        f.points,
      ]),
    ).toEqual([
      ['Single-threaded: the deal hangs on one engaged contact or none', -9.8],
      ['Close date pushed 2 times', -3],
    ]);
    // Without the deal's value the label stays, minus the smoothing formula.
    expect(factorInWords(`${plainLabel('ecm_competitor_win_rate_against')} (+6.8 pts)`, {}).text).not.toMatch(
      /won \+ 1|smoothed/,
    );
    expect(factorsInWords(null, {})).toEqual([]);
  });

  it('takes the grade bands from the config the report stage passes, the defaults without one', () => {
    const before = process.env[GRADES_ENV];
    try {
      process.env[GRADES_ENV] = JSON.stringify({ A: 80, B: 50, C: 10 });
      expect(gradeBands(configuredGrades())).toEqual([
        { grade: 'A', from: 80 },
        { grade: 'B', from: 50 },
        { grade: 'C', from: 10 },
        { grade: 'D', from: 0 },
      ]);
      process.env[GRADES_ENV] = JSON.stringify({ A: 10, B: 50, C: 80 });
      expect(() => configuredGrades()).toThrow(/grade thresholds must fall/);
      process.env[GRADES_ENV] = '';
      expect(gradeBands(configuredGrades())).toEqual(gradeBands(DEFAULTS.grades));
    } finally {
      if (before === undefined) delete process.env[GRADES_ENV];
      else process.env[GRADES_ENV] = before;
    }
  });

  it('names quarters and months as people say them', () => {
    expect(periodLabel('2026-07-01', '2026-09-30')).toBe('Q3 2026');
    expect(periodLabel('2026-07-01', '2026-07-31')).toBe('Jul 2026');
    expect(periodLabel('2026-07-01', null)).toBe('Jul 2026');
    expect(periodLabel('2026-07-15', '2026-12-31')).toBe('2026-07-15 – 2026-12-31');
  });

  it('writes a probability change in signed percentage points', () => {
    expect(formatPoints(0.034)).toBe('+3 pts');
    expect(formatPoints(-0.1)).toBe('−10 pts');
    expect(formatPoints(0.001)).toBe('±0 pts');
  });
});
