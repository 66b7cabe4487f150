/**
 * What every chart shares: the Vega-Lite schema, one colour per series (the same measure has the same
 * colour on every page), number formats and the base config. Pure data, no DOM.
 */
import type { ModelName } from './types.js';

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Wuwei's forecast and the CRM's, the same colour on every chart. */
export const MEASURES = {
  expected: { label: 'Wuwei forecast', color: '#1f5fbf' },
  weighted: { label: 'Weighted pipeline (CRM stage %)', color: '#e0892c' },
} as const;

export const MODELS: Record<ModelName, { label: string; color: string }> = {
  wuwei: { label: 'Wuwei model', color: MEASURES.expected.color },
  stage_baseline: { label: 'CRM stage probability', color: MEASURES.weighted.color },
};

export const REFERENCE_COLOR = '#8a8f98';

/** The models that have points, in MODELS' order (the legend's). */
export function modelsIn(points: readonly { model: ModelName }[]): ModelName[] {
  return (Object.keys(MODELS) as ModelName[]).filter((model) => points.some((point) => point.model === model));
}

/** The dashed y = x line from (0, 0) to (1, 1): perfect calibration, or a coin toss on a ROC curve. */
export function diagonalLayer(x: string, y: string) {
  return {
    data: {
      values: [
        { [x]: 0, [y]: 0 },
        { [x]: 1, [y]: 1 },
      ],
    },
    mark: { type: 'line' as const, strokeDash: [4, 4], color: REFERENCE_COLOR, strokeWidth: 1 },
    encoding: { x: { field: x, type: 'quantitative' as const }, y: { field: y, type: 'quantitative' as const } },
  };
}

/** ECM (relationships) and PBM (project behaviour), the same on every chart that splits features. */
export const DIMENSION_COLORS = { ECM: '#1f5fbf', PBM: '#2a9d8f', Other: '#8a8f98' } as const;

/** d3-format strings, as Vega-Lite takes them. */
export const FORMAT = {
  /** 1.2M, 350k: amounts on axes and in tooltips. */
  amountShort: '~s',
  amount: ',.0f',
  percent: '.0%',
  percentPrecise: '.1%',
  auc: '.3f',
} as const;

/**
 * An amount axis: Vega's tick formatting gives every label the largest tick's prefix ("0M", "0.5M"),
 * and a long axis crowds its labels ("20M22M"). Each label formats on its own (0, 500k, 1M, 1.5M),
 * with at most five ticks and overlapping labels dropped.
 */
export const AMOUNT_AXIS = {
  labelExpr: "datum.value === 0 ? '0' : replace(format(datum.value, '.3~s'), 'G', 'B')",
  tickCount: 5,
  labelOverlap: true,
} as const;

/** Base look: quiet axes, no chart border, titles left-aligned like the page text. */
export const BASE_CONFIG = {
  // The page's card shows through.
  background: 'transparent',
  view: { stroke: null },
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  title: { anchor: 'start', fontSize: 15, fontWeight: 600, subtitleColor: '#5b6270', subtitleFontSize: 12, offset: 12 },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 500,
    titleColor: '#3b414b',
    gridColor: '#eceef1',
    domainColor: '#a5abb5',
    tickColor: '#a5abb5',
  },
  // A narrow chart drops every other number rather than drawing them into each other ("0.0000.005").
  axisQuantitative: { labelOverlap: true, labelSeparation: 6, labelFlush: true },
  axisTemporal: { labelOverlap: true },
  // Four entries a row at most: a long legend wraps instead of running off a half-width card.
  legend: {
    labelFontSize: 12,
    titleFontSize: 12,
    orient: 'top',
    direction: 'horizontal',
    symbolType: 'square',
    labelLimit: 360,
    columns: 4,
  },
} as const;

/** Default size; the pages pass the width of their column so a chart fills it. */
export interface ChartSize {
  width?: number;
  height?: number;
}

/**
 * The whole chart (axes and legend included) fits the given width and height. Charts with one row
 * per category (heatmaps, ranked bars) fit the width only: their height is the plot's, so long
 * rotated labels and legends add to it instead of squeezing the rows.
 */
export function sizing(size: ChartSize, defaults: Required<ChartSize>, fit: 'fit' | 'fit-x' = 'fit') {
  return {
    width: Math.max(240, Math.round(size.width ?? defaults.width)),
    height: Math.round(size.height ?? defaults.height),
    autosize: { type: fit, contains: 'padding' },
  } as const;
}

/**
 * Title and subtitle broken into lines that fit the chart width: Vega does not wrap titles, and a
 * long line would stick out of the card. Character widths are estimates for the base font.
 */
export function chartTitle(text: string, subtitle: string, width: number) {
  return {
    text: wrapLines(text, width, 8.6),
    subtitle: wrapLines(subtitle, width, 6.4),
  };
}

export function wrapLines(text: string, width: number, charWidth: number): string[] {
  const perLine = Math.max(16, Math.floor(width / charWidth));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > perLine) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The families' name parts, as they start a feature's name after ecm_ / pbm_. */
const FAMILY_WORDS = [
  'key_person',
  'chain',
  'account',
  'employee',
  'company',
  'competitor',
  'people',
  'money',
  'things',
  'sentiment',
  'timing',
  'similar',
];

/**
 * "ecm_key_person_max_strength" -> "Key person: max strength", "pbm_things_is_renewal" -> "Things:
 * renewal": the family, then what is measured, as an axis label a reader can say aloud.
 */
export function readableFeatureName(name: string): string {
  const bare = name.replace(/^(ecm|pbm)_/, '');
  const family = FAMILY_WORDS.find((word) => bare.startsWith(`${word}_`));
  const words = (text: string) => text.split('_').filter(Boolean).join(' ');
  const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
  if (!family) return capital(words(bare));
  return `${capital(words(family))}: ${words(bare.slice(family.length + 1)).replace(/^(is|has) /, '')}`;
}

/** Won and lost, the same on every page. */
export const OUTCOMES = {
  won: { label: 'Won', color: '#2e8b57' },
  lost: { label: 'Lost', color: '#c0504d' },
} as const;

/** Light to dark along the funnel: stage colours that read in order without a legend lookup. */
export function stageColors(count: number): string[] {
  const ramp = ['#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];
  if (count <= ramp.length) return ramp.slice(ramp.length - count);
  return Array.from({ length: count }, (_, i) => ramp[Math.round((i * (ramp.length - 1)) / Math.max(1, count - 1))]!);
}

/** A tooltip entry; every chart lists its tooltips with titles a reader understands. */
export type Tooltip = {
  field: string;
  type: 'nominal' | 'ordinal' | 'quantitative' | 'temporal';
  title: string;
  format?: string;
};
